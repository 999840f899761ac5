"""The ``--state`` file's plumbing, the same for every emulator: JSON written atomically
(temp file, fsync, rename) in a worker thread, read back as a plain mapping.

Why only the plumbing is shared: each stick keeps its own format (a Z-Stack's NVRAM, a
ConBee's parameters) and says itself what it accepts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def read_json(path: Path) -> dict[str, Any] | None:
    """The file's object; None when there is no file yet or it is empty."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    if not text.strip():
        return None
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a JSON object")
    return data


def write_atomic(path: Path, text: str) -> None:
    """A crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


async def load_json(path: Path) -> dict[str, Any] | None:
    return await asyncio.to_thread(read_json, path)


async def save_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=1, sort_keys=True)
    await asyncio.to_thread(write_atomic, path, text)
