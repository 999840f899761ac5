"""The virtual KNX rig for ``knx.mode = "virtual"``: the emulator in a child process, and the
Thinknx catalogue that matches its default devices (``virtual_knx_devices.toml``).

Why a child process rather than the emulator inside the gateway: the emulator is a peer on
the far side of a KNXnet/IP tunnel, and it should be one for real, with its own event loop
and its own timers, so that ``make run`` exercises the same UDP path and timing as a KNX IP
interface and the gateway process never loads test code. The child watches its stdin: when
the gateway exits, even by SIGKILL, the pipe closes and the emulator stops with it (the
life cycle is ``hil.child.EmulatorChild``, shared with the virtual Zigbee stick). If the
child dies on its own it is started again, with backoff, on the same port: the gateway's
tunnel sees an interface that rebooted and connects again.

Run by hand: ``python -m hil.virtual_knx --port 0`` prints
``KNX emulator listening on 127.0.0.1:<port> ...`` and serves until SIGINT/SIGTERM or EOF on
stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from pathlib import Path

from hil.child import (
    ChildStartError,
    EmulatorChild,
    EmulatorHandle,
    RestartPolicy,
    until_parent_says_stop,
)

log = logging.getLogger(__name__)

VIRTUAL_CATALOGUE = Path(__file__).with_name("virtual_knx_devices.toml")
"""The Thinknx catalogue for the emulator's default devices (hil/emulators/knx/README.md)."""
START_TIMEOUT = 20.0
RESTART = RestartPolicy()  # a killed emulator comes back, like a power-cycled device
STOP_TIMEOUT = 3.0
_READY = re.compile(r"^KNX emulator listening on ([0-9.]+):(\d+)\b")


class VirtualKnxError(RuntimeError):
    """The emulator child did not come up; the message says what it printed or why."""


class VirtualKnx(EmulatorHandle):
    """Starts and stops the emulator child; ``port`` is where it listens once started."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        start_timeout: float = START_TIMEOUT,
        restart: RestartPolicy | None = RESTART,
    ) -> None:
        self.host = host
        self.port = 0
        self._child = EmulatorChild(
            "KNX emulator",
            self._argv(0),
            _READY,
            start_timeout=start_timeout,
            stop_timeout=STOP_TIMEOUT,
            restart=restart,
        )

    def _argv(self, port: int) -> list[str]:
        return [sys.executable, "-m", "hil.virtual_knx", "--host", self.host, "--port", str(port)]

    async def start(self) -> int:
        """Spawn the child and wait for its "listening" line; returns the port."""
        try:
            match = await self._child.start()
        except ChildStartError as exc:
            raise VirtualKnxError(str(exc)) from None
        self.port = int(match.group(2))
        # A restart must come back where the gateway's tunnel points.
        self._child.argv = self._argv(self.port)
        log.info("event=knx_emulator_started pid=%s port=%s", self.pid, self.port)
        return self.port


# --- the child ---------------------------------------------------------------------------------


async def _serve(host: str, port: int) -> int:
    from hil.emulators.knx import KnxEmulator, default_devices

    emulator = KnxEmulator(await asyncio.to_thread(default_devices), host=host, port=port)
    await emulator.start()
    print(
        f"KNX emulator listening on {emulator.host}:{emulator.port}"
        f" (udp, {len(emulator.devices)} devices)",
        flush=True,
    )
    await until_parent_says_stop()
    await emulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hil.virtual_knx", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="UDP port; 0 = a free one")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_serve(args.host, args.port))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
