"""Control channel: JSON lines on a Unix socket, the same protocol as the ZNP emulator's
(``hil.emulators.znp.control``), so :class:`~hil.emulators.znp.control.ControlClient`
and the HIL suite drive both sticks alike::

    -> {"cmd": "unplug", "id": 7}
    <- {"ok": true, "id": 7, "result": {"plugged": false}}

Every command maps to one public :class:`~.emulator.DeconzEmulator` method.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hil.emulators.znp.control import MAX_LINE, ControlClient, ControlError

if TYPE_CHECKING:
    from .emulator import DeconzEmulator

__all__ = ["COMMANDS", "ControlClient", "ControlError", "ControlServer", "execute"]

LOGGER = logging.getLogger(__name__)

Command = Callable[["DeconzEmulator", dict[str, Any]], Awaitable[Any]]
RESET_REASONS = ("external", "watchdog", "power")


def _ieee(args: dict[str, Any]) -> str:
    ieee = args.get("ieee")
    if not isinstance(ieee, str):
        raise ControlError("missing 'ieee'")
    return ieee


async def _ping(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    return "pong"


async def _state(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    return emu.state(frames=int(args.get("frames", 20)))


async def _frames(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    return [
        {"seq": r.seq, "dir": r.direction, "time": r.timestamp, "frame": r.describe()}
        for r in emu.frames(int(args.get("since", 0)))
    ]


async def _unplug(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    emu.unplug()
    return {"plugged": False}


async def _replug(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    return {"plugged": True, "path": await emu.replug(), "pty": emu.pty_path}


async def _reset(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    reason = str(args.get("reason", "watchdog"))
    if reason not in RESET_REASONS:
        raise ControlError(f"reason must be one of {list(RESET_REASONS)}")
    emu.reset(reason)
    return {"reason": reason}


def _power(online: bool) -> Command:
    async def run(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
        ieee = _ieee(args)
        emu.set_online(ieee, online)
        return {"ieee": ieee, "online": online}

    return run


async def _join(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    ieee = _ieee(args)
    return {"ieee": ieee, "joined": emu.join(ieee)}


async def _leave(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    ieee = _ieee(args)
    emu.leave(ieee)
    return {"ieee": ieee}


async def _factory_reset(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    ieee = _ieee(args)
    emu.device(ieee).factory_reset()
    return {"ieee": ieee, "factory_new": True}


async def _device(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    return emu.device(_ieee(args)).snapshot()


async def _energy(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    channel, value = int(args.get("channel", 0)), int(args.get("value", -1))
    if not 11 <= channel <= 26 or not 0 <= value <= 255:
        raise ControlError("need channel 11..26 and value 0..255")
    emu.firmware.channel_energy[channel] = value
    return {"channel": channel, "value": value}


async def _save(emu: DeconzEmulator, args: dict[str, Any]) -> Any:
    await emu.save()
    return {"saved": emu.config.state_file is not None}


#: The control protocol: command name -> handler.
COMMANDS: dict[str, Command] = {
    "ping": _ping,
    "state": _state,
    "frames": _frames,
    "unplug": _unplug,
    "replug": _replug,
    "reset": _reset,
    "device_off": _power(False),
    "device_on": _power(True),
    "device": _device,
    "join": _join,
    "leave": _leave,
    "factory_reset": _factory_reset,
    "energy": _energy,
    "save": _save,
}


async def execute(emu: DeconzEmulator, line: bytes | str) -> dict[str, Any]:
    """Runs one request line and returns the answer object (never raises)."""
    request_id = None
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ControlError("request must be a JSON object")
        request_id = request.get("id")
        name = request.get("cmd")
        handler = COMMANDS.get(name) if isinstance(name, str) else None
        if handler is None:
            raise ControlError(f"unknown cmd {name!r}; known: {sorted(COMMANDS)}")
        result = await handler(emu, request)
    except (ControlError, KeyError, ValueError, TypeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return {"ok": False, "id": request_id, "error": str(message)}
    return {"ok": True, "id": request_id, "result": result}


class ControlServer:
    def __init__(self, emulator: DeconzEmulator, path: Path) -> None:
        self.emulator = emulator
        self.path = path
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        os.chmod(self.path, 0o600)
        LOGGER.info("control socket at %s", self.path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._clients):
            task.cancel()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        try:
            while line := await reader.readline():
                if len(line) > MAX_LINE:
                    answer: dict[str, Any] = {"ok": False, "id": None, "error": "line too long"}
                elif not line.strip():
                    continue
                else:
                    answer = await execute(self.emulator, line)
                writer.write(json.dumps(answer, default=str).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            if task is not None:
                self._clients.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
