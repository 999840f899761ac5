"""The whole virtual rig in ONE child process: the Zigbee stick and the KNX IP interface.

Why one child: each emulator child paid for its own interpreter and imports (about a
second and 40-50 MB each on a Pi) and the gateway started them one after the other. One
child runs both emulators on one event loop, each still behind its real transport (a pty
for zigpy-znp or zigpy-deconz, a loopback UDP tunnel for xknx), so the gateway drives them
exactly as it drives hardware. The stick is either kind of ``hil.virtual_radio.KINDS``
(the Z-Stack or the ConBee emulator), with the same link, state file and control socket
names as when it runs alone. The parent starts it at the very beginning of its own start-up, so the
child's imports overlap the gateway's store and service set-up.

The child prints one line once both serve::

    ready radio=<serial path or -> knx=<udp port or -> control=<socket or ->

and dies with the gateway (``hil.child.EmulatorChild``: parent-death signal, stdin EOF).
``hil/virtual_radio.py`` and ``hil/virtual_knx.py`` stay as they are for the tests and
tools that want one emulator alone.

Run by hand: ``python -m hil.virtual_rig --dir .run/rig --stick znp --lights 3 --knx``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hil.child import (
    ChildStartError,
    EmulatorChild,
    EmulatorHandle,
    RestartPolicy,
    until_parent_says_stop,
)

log = logging.getLogger(__name__)

KNX_ONLY_DIR = "virtual-knx"  # under the state directory, when there is no virtual stick
RESTART = RestartPolicy()
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
_READY = re.compile(r"^ready radio=(\S+) knx=(\S+) control=(\S+)")


class VirtualRigError(RuntimeError):
    """The rig child did not come up; the message says why."""


@dataclass(frozen=True)
class RigAddresses:
    """Where the gateway finds the started emulators (None: not asked for)."""

    radio_path: str | None
    knx_port: int | None


class VirtualRig(EmulatorHandle):
    """Starts and stops the one child that runs the asked-for emulators."""

    def __init__(
        self,
        directory: Path,
        *,
        stick: str | None = "znp",
        lights: int = 3,
        knx: bool = True,
        sensors: bool = False,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.directory = directory
        self.stick = stick  # "znp", "deconz" or None (no stick)
        self.lights = lights
        # One of each sensor and remote (the ZNP stick's --sensors; the ConBee one has none).
        self.sensors = sensors and stick == "znp"
        self.knx_port = 0  # fixed after the first start: a restart comes back on it
        self.knx = knx
        self.log_file = directory / "emulator.log"
        self._child = EmulatorChild(
            "virtual rig",
            self.command_line(),
            _READY,
            start_timeout=start_timeout,
            stop_timeout=STOP_TIMEOUT,
            stderr_file=self.log_file,
            # A rig child that dies on its own comes back, like a stick replugged.
            restart=RESTART,
            device_links=() if stick is None else (directory / _stick_link(stick),),
        )

    def command_line(self) -> list[str]:
        args = [sys.executable, "-m", "hil.virtual_rig", "--dir", str(self.directory)]
        if self.stick is not None:
            args += ["--stick", self.stick, "--lights", str(self.lights)]
        if self.sensors:
            args.append("--sensors")
        if self.knx:
            args.append("--knx")
            if self.knx_port:
                args += ["--knx-port", str(self.knx_port)]
        return args

    async def start(self) -> RigAddresses:
        """Spawn the child and wait for its ready line."""
        await asyncio.to_thread(self.directory.mkdir, parents=True, exist_ok=True)
        try:
            match = await self._child.start()
        except ChildStartError as exc:
            raise VirtualRigError(str(exc)) from None
        radio, knx = match.group(1), match.group(2)
        addresses = RigAddresses(
            radio_path=None if radio == "-" else radio,
            knx_port=None if knx == "-" else int(knx),
        )
        if addresses.knx_port is not None:
            # A restart must come back where the gateway's tunnel points (the radio's
            # path is a stable link already).
            self.knx_port = addresses.knx_port
            self._child.argv = self.command_line()
        log.info(
            "event=virtual_rig_started pid=%s radio=%s knx_port=%s",
            self.pid,
            addresses.radio_path,
            addresses.knx_port,
        )
        return addresses


# --- the child ---------------------------------------------------------------------------------


async def _serve(args: argparse.Namespace) -> int:
    async with contextlib.AsyncExitStack() as stack:
        radio_path, control = "-", "-"
        knx_port = "-"
        if args.stick is not None:
            emulator, server = _stick(args.stick, args.dir, args.lights, args.sensors)
            radio_path = await emulator.start()
            stack.push_async_callback(emulator.stop)
            await server.start()
            stack.push_async_callback(server.stop)
            control = str(args.dir / "control.sock")
        if args.knx:
            from hil.emulators.knx import KnxEmulator, default_devices

            bus = KnxEmulator(
                await asyncio.to_thread(default_devices), host="127.0.0.1", port=args.knx_port
            )
            await bus.start()
            stack.push_async_callback(bus.stop)
            knx_port = str(bus.port)
        print(f"ready radio={radio_path} knx={knx_port} control={control}", flush=True)
        await until_parent_says_stop()
    return 0


# The stick emulators' own command lines build their configurations (one set of defaults);
# the emulator and control classes are looked up by name in the same module.
_STICK_CLASSES = {"znp": "ZnpEmulator", "deconz": "DeconzEmulator"}


def _stick_link(kind: str) -> str:
    """The link name the child gives the stick of ``kind`` in its directory."""
    from hil.virtual_radio import KINDS

    return KINDS[kind].link


def _stick(kind: str, directory: Path, lights: int, sensors: bool) -> tuple[Any, Any]:
    """The emulator of one stick kind and its control server, configured as when alone."""
    from hil.virtual_radio import KINDS

    stick = KINDS[kind]
    cli = importlib.import_module(f"{stick.module}.__main__")
    argv = ["--link", str(directory / stick.link), "--lights", str(lights)]
    argv += ["--state", str(directory / stick.state_file)]
    if sensors:
        argv.append("--sensors")
    config = cli.config_from_args(cli.build_parser().parse_args(argv))
    emulator = getattr(cli, _STICK_CLASSES[kind])(config)
    return emulator, cli.ControlServer(emulator, directory / "control.sock")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hil.virtual_rig", description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="pty link, state and control")
    parser.add_argument("--stick", choices=sorted(_STICK_CLASSES), help="run this stick")
    parser.add_argument("--lights", type=int, default=3, help="lamps the stick simulates")
    parser.add_argument("--knx", action="store_true", help="run the KNX IP interface")
    parser.add_argument("--sensors", action="store_true", help="one of each sensor (ZNP)")
    parser.add_argument("--knx-port", type=int, default=0, help="UDP port (0: any free one)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    try:
        return asyncio.run(_serve(args))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
