"""``python -m hil.emulators.knx --port P [--devices FILE] [--tcp]``: run the emulator.

Prints one line with the port once it listens (``KNX emulator listening on 127.0.0.1:P``),
then a line per bus telegram with ``--verbose``, until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .bus import BusTelegram
from .catalogue import CatalogueError, default_devices, load_devices
from .server import KnxEmulator
from .tunnel_state import ServerOptions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hil.emulators.knx", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=3671, help="UDP (and TCP) port; 0 = free")
    parser.add_argument("--devices", type=Path, help="TOML device file (default: built-in set)")
    parser.add_argument("--tcp", action="store_true", help="also serve KNXnet/IP over TCP")
    parser.add_argument("--feedback-delay", type=float, help="override every device's delay")
    parser.add_argument("--verbose", action="store_true", help="print every bus telegram")
    return parser


class _Printer:
    def on_telegram(self, telegram: BusTelegram) -> None:
        print(
            f"{telegram.at:.3f} {telegram.origin} {telegram.source} -> {telegram.destination}"
            f" {telegram.kind} {telegram.payload}",
            flush=True,
        )


async def _run(args: argparse.Namespace) -> int:
    try:
        if args.devices:
            devices = await asyncio.to_thread(load_devices, args.devices)
        else:
            devices = await asyncio.to_thread(default_devices)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.feedback_delay is not None:
        for device in devices:
            device.feedback_delay = args.feedback_delay
    emulator = KnxEmulator(devices, host=args.host, port=args.port, tcp=args.tcp,
                           options=ServerOptions())  # fmt: skip
    await emulator.start()
    if args.verbose:
        emulator.bus.attach(_Printer())
    transports = "udp+tcp" if emulator.tcp else "udp"
    print(
        f"KNX emulator listening on {emulator.host}:{emulator.port}"
        f" ({transports}, {len(devices)} devices)",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await emulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the CLI."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
