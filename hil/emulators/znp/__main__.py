"""``python -m hil.emulators.znp``: run the virtual CC2652 stick until SIGINT/SIGTERM.

Prints one ``ready path=... pty=... control=...`` line on stdout once the port is
plugged in (so a parent process can wait for it), logs to stderr, and saves the state
file on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hil.emulators.common import cli

from .control import ControlServer
from .devices.devices_file import load_devices_file, parse_target_option
from .devices.spec import DeviceSpec, one_of_each_sensor
from .emulator import EmulatorConfig, ZnpEmulator
from .timing import Timing

LOG_LEVELS = ("debug", "info", "warning", "error")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hil.emulators.znp",
        description="Z-Stack 3.30 (CC26x2) emulator on a pseudo-terminal with simulated lamps "
        "and sensors.",
    )
    parser.add_argument("--link", type=Path, help="stable symlink to the pty (e.g. ./run/zigbee)")
    parser.add_argument("--lights", type=int, default=0, help="number of numbered lamps")
    parser.add_argument(
        "--sensors",
        action="store_true",
        help="add one of each sensor/remote (Hue dimmer, IKEA remote, motion, "
        "temperature/humidity, door contact); they join when joins are permitted",
    )
    parser.add_argument("--state", type=Path, help="JSON file keeping NVRAM and device state")
    parser.add_argument("--devices", type=Path, help="TOML or JSON devices file")
    parser.add_argument(
        "--touchlink-target",
        action="append",
        default=[],
        metavar="SPEC",
        help="key=value,... e.g. channel=15,type=color_temperature,factory_new=1 (repeatable)",
    )
    parser.add_argument("--control", type=Path, help="Unix socket for the JSON-lines control")
    parser.add_argument("--ieee", help="coordinator IEEE address (default: random TI address)")
    parser.add_argument(
        "--energy",
        action="append",
        default=[],
        metavar="CH=VALUE",
        help="energy-scan noise on a channel, 0..255 (repeatable)",
    )
    parser.add_argument("--seed", type=int, help="seed for addresses and keys")
    parser.add_argument("--fast", action="store_true", help="short stack delays (for tests)")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """Validates everything before anything is opened; raises ValueError naming the flag."""
    if args.lights < 0:
        raise ValueError("--lights must be >= 0")
    devices: list[DeviceSpec] = []
    targets: list[DeviceSpec] = []
    if args.devices is not None:
        loaded = load_devices_file(args.devices)
        devices, targets = loaded.devices, loaded.touchlink_targets
    if args.sensors:
        devices = [*devices, *one_of_each_sensor()]
    for index, text in enumerate(args.touchlink_target, start=len(targets) + 1):
        try:
            targets.append(parse_target_option(text, index))
        except ValueError as exc:
            raise ValueError(f"--touchlink-target {text!r}: {exc}") from exc
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
    config = EmulatorConfig(
        link=args.link,
        state_file=args.state,
        lights=args.lights,
        devices=devices,
        touchlink_targets=targets,
        ieee=args.ieee,
        timing=Timing.fast() if args.fast else Timing(),
        channel_energy=energy,
        seed=args.seed,
    )
    config.all_devices()  # duplicate addresses fail here, before the port opens
    return config


async def run(config: EmulatorConfig, control: Path | None) -> None:
    await cli.serve(ZnpEmulator(config), control, ControlServer)


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
