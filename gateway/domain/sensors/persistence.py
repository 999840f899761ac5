"""Coalesced writing of what sensors report.

Why coalesced: a report is the device's own truth and arrives unasked; writing each one
with an fsync would tie the radio's pace to the disk's. Reports mark the sensor dirty; the
last state and config of each dirty sensor are written every ``interval`` seconds and at
stop, so a restart shows the last state. Changes a client makes are written before the
answer instead (``SensorsService``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from gateway.store import Store

log = logging.getLogger(__name__)

Snapshot = dict[int, tuple[dict[str, Any], dict[str, Any]]]


class SensorFlusher:
    def __init__(self, store: Store, snapshot: Callable[[set[int]], Snapshot], interval: float):
        self._store = store
        self._snapshot = snapshot
        self._interval = interval
        self._dirty: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def mark(self, sensor_id: int) -> None:
        self._dirty.add(sensor_id)

    def discard(self, sensor_id: int) -> None:
        self._dirty.discard(sensor_id)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="sensors-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        try:
            await self._store.sensors.save_states(self._snapshot(dirty))
        except Exception:
            self._dirty |= dirty
            raise

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:
                log.exception("could not store sensor states; will retry")
