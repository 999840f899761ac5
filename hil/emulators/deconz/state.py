"""The ``--state`` file: the stick's parameters and formed network plus the simulated
devices' memory, so a restarted emulator comes back like an unplugged ConBee with lamps
that kept power. Writes are atomic (temp file + rename) in a worker thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hil.emulators.common.state_file import read_json, save_json

FORMAT = 1
KIND = "deconz"


@dataclass
class StateFile:
    stick: dict[str, Any] | None = None  # StickConfig.to_json()
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": KIND, "stick": self.stick, "devices": self.devices}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateFile:
        if data.get("format") != FORMAT or data.get("kind") != KIND:
            raise ValueError(
                f"not a deCONZ emulator state file (format {data.get('format')!r},"
                f" kind {data.get('kind')!r})"
            )
        return cls(stick=data.get("stick"), devices=dict(data.get("devices") or {}))


def read(path: Path) -> StateFile | None:
    data = read_json(path)
    return None if data is None else StateFile.from_json(data)


async def load(path: Path) -> StateFile | None:
    return await asyncio.to_thread(read, path)


async def save(path: Path, state: StateFile) -> None:
    await save_json(path, state.to_json())
