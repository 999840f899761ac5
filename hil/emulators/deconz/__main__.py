"""``python -m hil.emulators.deconz``: run the virtual ConBee II until SIGINT/SIGTERM.

Prints one ``ready path=... pty=... control=...`` line on stdout once the port is
plugged in (the same line as the ZNP emulator, so ``hil.child`` waits for both alike),
logs to stderr, and saves the state file on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hil.emulators.common import cli
from hil.emulators.znp.devices.devices_file import load_devices_file
from hil.emulators.znp.devices.spec import DeviceSpec
from hil.emulators.znp.timing import Timing

from .control import ControlServer
from .emulator import DeconzConfig, DeconzEmulator
from .timing import StickTiming

LOG_LEVELS = ("debug", "info", "warning", "error")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hil.emulators.deconz",
        description="ConBee II (deCONZ serial protocol) emulator on a pseudo-terminal,"
        " over the ZNP emulator's simulated lamps.",
    )
    parser.add_argument("--link", type=Path, help="stable symlink to the pty (e.g. ./run/conbee)")
    parser.add_argument("--lights", type=int, default=0, help="number of numbered lamps")
    parser.add_argument("--state", type=Path, help="JSON file keeping parameters and devices")
    parser.add_argument("--devices", type=Path, help="TOML or JSON devices file ([[device]])")
    parser.add_argument("--control", type=Path, help="Unix socket for the JSON-lines control")
    parser.add_argument("--ieee", help="stick MAC address (default: random 00:21:2e:...)")
    parser.add_argument(
        "--energy",
        action="append",
        default=[],
        metavar="CH=VALUE",
        help="energy-scan noise on a channel, 0..255 (repeatable)",
    )
    parser.add_argument(
        "--raspbee",
        action="store_true",
        help="a RaspBee on a UART: a reset keeps the port (a ConBee re-enumerates)",
    )
    parser.add_argument("--seed", type=int, help="seed for addresses and PAN ids")
    parser.add_argument("--fast", action="store_true", help="short delays (for tests)")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    return parser


def config_from_args(args: argparse.Namespace) -> DeconzConfig:
    """Validates everything before anything is opened; raises ValueError naming the flag."""
    if args.lights < 0:
        raise ValueError("--lights must be >= 0")
    devices: list[DeviceSpec] = []
    if args.devices is not None:
        loaded = load_devices_file(args.devices)
        if loaded.touchlink_targets:
            raise ValueError(
                f"--devices {args.devices}: touchlink targets need inter-PAN, which the"
                " deCONZ serial protocol does not offer (see README)"
            )
        devices = loaded.devices
    energy: dict[int, int] = {}
    for item in args.energy:
        channel, sep, value = item.partition("=")
        try:
            ch, val = int(channel), int(value)
        except ValueError:
            ch, val = 0, -1
        if not sep or not 11 <= ch <= 26 or not 0 <= val <= 255:
            raise ValueError(f"--energy {item!r}: expected CHANNEL=VALUE (11..26, 0..255)")
        energy[ch] = val
    config = DeconzConfig(
        link=args.link,
        state_file=args.state,
        lights=args.lights,
        devices=devices,
        ieee=args.ieee,
        timing=Timing.fast() if args.fast else Timing(),
        stick_timing=StickTiming.fast() if args.fast else StickTiming(),
        channel_energy=energy,
        seed=args.seed,
        usb=not args.raspbee,
    )
    config.all_devices()  # duplicate addresses fail here, before the port opens
    return config


async def run(config: DeconzConfig, control: Path | None) -> None:
    await cli.serve(DeconzEmulator(config), control, ControlServer)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    cli.setup_logging(args.log_level)
    try:
        config = config_from_args(args)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    asyncio.run(run(config, args.control))
    return 0


if __name__ == "__main__":
    sys.exit(main())
