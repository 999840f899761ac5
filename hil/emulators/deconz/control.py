"""The deCONZ emulator's control commands on the socket both emulators share
(:mod:`hil.emulators.common.control`), so one client and the HIL suite drive both sticks
alike::

    -> {"cmd": "unplug", "id": 7}
    <- {"ok": true, "id": 7, "result": {"plugged": false}}

Every command maps to one public :class:`~.emulator.DeconzEmulator` method.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hil.emulators.common import control as common
from hil.emulators.common.commands import COMMON
from hil.emulators.common.control import ControlClient, ControlError, hex_arg

from . import noise

if TYPE_CHECKING:
    from .emulator import DeconzEmulator

__all__ = ["COMMANDS", "ControlClient", "ControlError", "ControlServer", "execute"]

Command = Callable[["DeconzEmulator", dict[str, Any]], Awaitable[Any]]
RESET_REASONS = ("external", "watchdog", "power")


async def _inject(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    """Raw bytes on the serial line to the host, in order with the stick's own frames:
    ``count`` times one ``kind`` of :mod:`.noise` (``size`` bytes where it has a size),
    or, as the ZNP emulator takes them, ``hex`` bytes followed by ``noise`` random ones;
    ``glued`` sends them in one write with the stick's next frame.

    Why raw: a corrupted frame must reach the host's parser exactly as line noise would;
    nothing in the emulator's own framing may repair it.
    """
    data = hex_arg(args, "hex")
    size = args.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise ControlError("'size' must be a number of bytes")
    count = args.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
        raise ControlError("'count' must be 1..1000")
    kind = args.get("kind")
    for _ in range(count if kind is not None else 0):
        data += noise.make(str(kind), emu.rng, size)
        if len(data) > noise.MAX_SIZE:
            break  # refused below, before anything is sent
    flood = args.get("noise", 0)
    if isinstance(flood, bool) or not isinstance(flood, int) or not 0 <= flood <= noise.MAX_SIZE:
        raise ControlError(f"'noise' must be 0..{noise.MAX_SIZE} bytes")
    data += emu.rng.randbytes(flood)
    if len(data) > noise.MAX_SIZE:
        raise ControlError(f"at most {noise.MAX_SIZE} bytes at once")
    glued = args.get("glued", False)
    if not isinstance(glued, bool):
        raise ControlError("'glued' must be true or false")
    if not emu.inject(data, glued=glued):
        raise ControlError("no host has the port open; nothing was sent")
    return {"injected": len(data)} if kind is None else {"injected": len(data), "kind": kind}


async def _reset(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    reason = str(args.get("reason", "watchdog"))
    if reason not in RESET_REASONS:
        raise ControlError(f"reason must be one of {list(RESET_REASONS)}")
    port = args.get("port")
    if port not in (None, "keep", "reenumerate"):
        raise ControlError("port must be 'keep' (a RaspBee's UART) or 'reenumerate' (ConBee)")
    emu.reset(reason, keep_port=None if port is None else port == "keep")
    return {"reason": reason} if port is None else {"reason": reason, "port": port}


async def _energy(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    channel, value = int(args.get("channel", 0)), int(args.get("value", -1))
    if not 11 <= channel <= 26 or not 0 <= value <= 255:
        raise ControlError("need channel 11..26 and value 0..255")
    emu.firmware.channel_energy[channel] = value
    return {"channel": channel, "value": value}


#: The control protocol: command name -> handler.
COMMANDS: dict[str, Command] = {
    **COMMON,
    "reset": _reset,
    "inject": _inject,
    "energy": _energy,
}


async def execute(emu: DeconzEmulator, line: bytes | str) -> dict[str, Any]:
    """Runs one request line and returns the answer object (never raises)."""
    return await common.execute(emu, line, COMMANDS)


class ControlServer(common.ControlServer["DeconzEmulator"]):
    """The deCONZ emulator's command table on a Unix socket."""

    def __init__(self, emulator: DeconzEmulator, path: Path) -> None:
        super().__init__(emulator, path, COMMANDS)
