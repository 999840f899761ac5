"""Coalesced writing of what sensors report.

Why coalesced: a report is the device's own truth and arrives unasked; writing each one
with an fsync would tie the radio's pace to the disk's. Reports mark the sensor dirty; the
last state and config of each dirty sensor are written every ``interval`` seconds and at
stop, so a restart shows the last state. Changes a client makes are written before the
answer instead (``SensorsService``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.domain.dirty_writer import DirtyWriter
from gateway.store import Store

Snapshot = dict[int, tuple[dict[str, Any], dict[str, Any]]]


class SensorFlusher(DirtyWriter):
    """Remembers which sensors changed by reports and writes state and config in batches."""

    def __init__(self, store: Store, snapshot: Callable[[set[int]], Snapshot], interval: float):
        async def write(ids: set[int]) -> None:
            await store.sensors.save_states(snapshot(ids))

        super().__init__(write, interval, name="sensor")
