"""The ``--state`` file: the stick's NVRAM plus the simulated devices' own memory.

Why one JSON file: a restarted emulator must come back like an unplugged stick and lamps
that kept power, i.e. same network (NVRAM) and lamps still joined with their state. The
``nvram`` section uses zigpy-znp's nvram tool layout. Writes are atomic (temp file +
rename) and run in a worker thread so the event loop never blocks on disk.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hil.emulators.common.state_file import read_json, save_json

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
    data = read_json(path)
    return None if data is None else StateFile.from_json(data)


async def load(path: Path) -> StateFile | None:
    return await asyncio.to_thread(_read, path)


def load_blocking(path: Path) -> StateFile | None:
    """For the CLI before the loop runs."""
    return _read(path)


async def save(path: Path, state: StateFile) -> None:
    await save_json(path, state.to_json())
