"""The ``--state`` file: the stick's parameters and formed network plus the simulated
devices' memory, so a restarted emulator comes back like an unplugged ConBee with lamps
that kept power. Writes are atomic (temp file + rename) in a worker thread.
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
    return await asyncio.to_thread(read, path)


async def save(path: Path, state: StateFile) -> None:
    text = json.dumps(state.to_json(), indent=1, sort_keys=True)
    await asyncio.to_thread(_write, path, text)
