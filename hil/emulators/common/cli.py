"""What ``python -m hil.emulators.znp`` and ``python -m hil.emulators.deconz`` share: run
an emulator with its control socket until SIGINT/SIGTERM, and the ``ready`` line.

Why the line is shared: ``hil.child`` and the virtual rig wait for exactly
``ready path=... pty=... control=...`` from either stick.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar


class Runnable(Protocol):
    @property
    def pty_path(self) -> str | None: ...

    async def start(self) -> str: ...

    async def stop(self) -> None: ...


class Serving(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


R = TypeVar("R", bound=Runnable)


def setup_logging(level: str) -> None:
    """Logs to stderr (stdout carries the ``ready`` line)."""
    logging.basicConfig(
        level=getattr(logging, level.upper()),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


async def serve(emulator: R, control: Path | None, server: Callable[[R, Path], Serving]) -> None:
    """Starts the emulator (and its control socket), prints ``ready``, runs until a
    signal, then stops both (the emulator writes its state file)."""
    path = await emulator.start()
    socket = server(emulator, control) if control is not None else None
    if socket is not None:
        await socket.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"ready path={path} pty={emulator.pty_path} control={control or '-'}", flush=True)
    try:
        await stop.wait()
    finally:
        if socket is not None:
            await socket.stop()
        await emulator.stop()
