"""Network templates: made once outside any test's event loop, copied into each test.

Why here: the ZNP rig, the ConBee rig and the paired-sensors network all cut their cost the
same way — form (and pair) one network, keep the files that hold it (the emulator's state,
zigpy's database, the gateway's store, the backups), and give each test a copy — so the
two mechanical parts live once: running the building coroutine on an event loop of its own
(pytest-asyncio's loops are left alone) and copying the files.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any


def run_in_own_loop(main: Callable[[], Coroutine[Any, Any, object]], *, timeout: float) -> None:
    """Run ``main()`` with ``asyncio.run`` in a thread of its own and wait for it; its
    error is raised here, and a run longer than ``timeout`` seconds is a TimeoutError."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # reported below, in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if errors:
        raise errors[0]
    if thread.is_alive():
        raise TimeoutError(f"building the template took longer than {timeout} s")


def copy_template(source: Path, target: Path, names: tuple[str, ...]) -> Path:
    """Copy the files and folders of ``source`` whose names start with one of ``names``
    into ``target``; returns ``target``."""
    for item in source.iterdir():
        if item.name.startswith(names):
            if item.is_dir():
                shutil.copytree(item, target / item.name)
            else:
                shutil.copy2(item, target / item.name)
    return target
