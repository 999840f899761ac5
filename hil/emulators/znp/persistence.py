"""The ``--state`` file: the stick's NVRAM plus the simulated devices' own memory.

Why one JSON file: a restarted emulator must come back like an unplugged stick and lamps
that kept power, i.e. same network (NVRAM) and lamps still joined with their state. The
``nvram`` section uses zigpy-znp's nvram tool layout. Writes are atomic (temp file +
rename) and run in a worker thread so the event loop never blocks on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1


@dataclass
class StateFile:
    coordinator_ieee: str | None = None
    nvram: dict[str, dict[str, str]] | None = None
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "coordinator_ieee": self.coordinator_ieee,
            "nvram": self.nvram,
            "devices": self.devices,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateFile:
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported state file format {data.get('format')!r}")
        return cls(
            coordinator_ieee=data.get("coordinator_ieee"),
            nvram=data.get("nvram"),
            devices=dict(data.get("devices") or {}),
        )


def _read(path: Path) -> StateFile | None:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    if not text.strip():
        return None
    return StateFile.from_json(json.loads(text))


def _write(path: Path, text: str) -> None:
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


async def load(path: Path) -> StateFile | None:
    return await asyncio.to_thread(_read, path)


def load_blocking(path: Path) -> StateFile | None:
    """For the CLI before the loop runs."""
    return _read(path)


async def save(path: Path, state: StateFile) -> None:
    text = json.dumps(state.to_json(), indent=1, sort_keys=True)
    await asyncio.to_thread(_write, path, text)
