"""The virtual Zigbee stick for ``radio.kind = "virtual"``: an emulator in a child process.

Two kinds of stick: ``znp`` (the Z-Stack emulator, driven by zigpy-znp; the default and
``radio.kind = "virtual"``) and ``deconz`` (the ConBee II emulator, driven by
zigpy-deconz; ``radio.kind = "virtual-deconz"``). Both share the simulated lamps, the
command line shape, the ready line and the control protocol, so only the module, the
link name and the state file differ (:data:`KINDS`).

Why a child process: the gateway must drive the emulator exactly as it drives a CC2652 on
``/dev/zigbee`` — zigpy-znp on a serial port, with the emulator's own event loop and
timers on the far side — and the gateway process must never load emulator code. The
child is ``python -m hil.emulators.znp`` with its link, state file and control socket in
one directory (the gateway puts it under its state directory), so lamps that joined stay
joined across restarts, like a real network.

The child's life cycle (ready line, dies with the gateway, bounded stop, restarted with
backoff when it dies on its own) is ``hil.child.EmulatorChild``, shared with the virtual
KNX bus. A restarted emulator loads its state file and recreates the link, so to the
gateway it is a stick that was unplugged and plugged in again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hil.child import ChildStartError, EmulatorChild, EmulatorHandle, RestartPolicy

log = logging.getLogger(__name__)

START_TIMEOUT = 20.0
RESTART = RestartPolicy()  # a killed emulator comes back, like a power-cycled device
STOP_TIMEOUT = 5.0
_READY = re.compile(r"^ready path=(\S+) pty=(\S+) control=(\S+)")


@dataclass(frozen=True)
class StickKind:
    """What differs between the emulated sticks."""

    module: str  # ``python -m`` target
    link: str  # symlink name in the directory, like /dev/serial/by-id/...
    state_file: str
    label: str  # for logs and errors


KINDS: dict[str, StickKind] = {
    "znp": StickKind("hil.emulators.znp", "ttyZNP", "znp-state.json", "ZNP emulator"),
    "deconz": StickKind(
        "hil.emulators.deconz", "ttyConBee", "deconz-state.json", "ConBee emulator"
    ),
}


#: ``radio.kind`` setting -> (stick kind, the radio kind the gateway then drives, directory
#: under the state directory). ``virtual`` keeps its historical directory name.
VIRTUAL_SETTINGS: dict[str, tuple[str, str, str]] = {
    "virtual": ("znp", "virtual", "virtual-radio"),
    "virtual-deconz": ("deconz", "deconz", "virtual-deconz"),
}


def virtual_stick(
    setting: str, state_dir: Path, *, lights: int, fast: bool = False, sensors: bool = False
) -> tuple[VirtualRadio, str]:
    """The emulator child for a virtual ``radio.kind`` and the radio kind to drive it as
    (``virtual-deconz`` is driven by zigpy-deconz exactly like a ConBee on ``deconz``)."""
    try:
        stick, radio_kind, directory = VIRTUAL_SETTINGS[setting]
    except KeyError:
        raise ValueError(
            f"{setting!r} is not a virtual radio kind; known: {sorted(VIRTUAL_SETTINGS)}"
        ) from None
    sensors = sensors and stick == "znp"  # the ConBee emulator simulates no sensors (yet)
    radio = VirtualRadio(
        state_dir / directory, lights=lights, sensors=sensors, fast=fast, kind=stick
    )
    return radio, radio_kind


class VirtualRadioError(RuntimeError):
    """The emulator child did not come up; the message says why."""


class VirtualRadio(EmulatorHandle):
    """Starts the emulator child and tells where the virtual stick is."""

    def __init__(
        self,
        directory: Path,
        *,
        lights: int = 3,
        sensors: bool = False,
        fast: bool = False,
        start_timeout: float = START_TIMEOUT,
        extra_args: tuple[str, ...] = (),
        kind: str = "znp",
        restart: RestartPolicy | None = RESTART,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown virtual stick kind {kind!r}; known: {sorted(KINDS)}")
        self.kind = kind
        self._stick = KINDS[kind]
        self.directory = directory
        self.lights = lights
        self.sensors = sensors  # one of each sensor and remote (--sensors)
        self.fast = fast
        self.link = directory / self._stick.link
        self.state_file = directory / self._stick.state_file
        self.control = directory / "control.sock"
        self.log_file = directory / "emulator.log"
        self._extra = extra_args
        self._child = EmulatorChild(
            self._stick.label,
            self.command_line(),
            _READY,
            start_timeout=start_timeout,
            stop_timeout=STOP_TIMEOUT,
            stderr_file=self.log_file,
            restart=restart,
            device_links=(self.link,),
        )

    def command_line(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            self._stick.module,
            "--link",
            str(self.link),
            "--lights",
            str(self.lights),
            "--state",
            str(self.state_file),
            "--control",
            str(self.control),
        ]
        if self.sensors:
            args.append("--sensors")
        if self.fast:
            args.append("--fast")
        return [*args, *self._extra]

    async def start(self) -> str:
        """Spawn the emulator and wait for its ``ready`` line; returns the port to open."""
        await asyncio.to_thread(self.directory.mkdir, parents=True, exist_ok=True)
        try:
            match = await self._child.start()
        except ChildStartError as exc:
            raise VirtualRadioError(str(exc)) from None
        log.info("virtual Zigbee stick at %s (emulator pid %s)", match.group(1), self.pid)
        return match.group(1)

    async def command(self, cmd: str, **args: Any) -> Any:
        """Send one control command (``state``, ``unplug``, ``device_off`` ...)."""
        reader, writer = await asyncio.open_unix_connection(str(self.control))
        try:
            writer.write(json.dumps({"cmd": cmd, "id": 1, **args}).encode() + b"\n")
            await writer.drain()
            answer = json.loads(await reader.readline())
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        if not answer.get("ok"):
            raise VirtualRadioError(f"{cmd}: {answer.get('error')}")
        return answer.get("result")


def _main() -> int:  # pragma: no cover - manual use
    """``python -m hil.virtual_radio DIR [LIGHTS [KIND]]``: run the stick until Ctrl-C."""
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else ".run/virtual-radio")
    lights = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    kind = sys.argv[3] if len(sys.argv) > 3 else "znp"

    async def run() -> None:
        radio = VirtualRadio(directory, lights=lights, kind=kind)
        print(await radio.start(), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await radio.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
