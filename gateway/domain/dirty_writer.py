"""Coalesced writing of what devices report: the last value of each changed item, in batches.

Why coalesced: a report is the device's own truth and arrives unasked (a dimming lamp
several times a second, a sensor whenever it likes); writing each one with an fsync would
tie the radio's pace to the disk's. Reports mark the item dirty; the last state of every
dirty item is written every ``interval`` seconds and at stop. A change a client makes is
written before its answer instead, by the service that owns the item. Lights and sensors
each give it the function that writes a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class DirtyWriter:
    """Remembers which items changed and writes them with ``write(ids)`` in batches."""

    def __init__(
        self, write: Callable[[set[int]], Awaitable[None]], interval: float, *, name: str
    ) -> None:
        self._write = write
        self._interval = interval
        self._name = name
        self._dirty: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def mark(self, item_id: int) -> None:
        self._dirty.add(item_id)

    def discard(self, item_id: int) -> None:
        """The item was just written (or it is gone): nothing pending for it."""
        self._dirty.discard(item_id)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=f"{self._name}-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        """Write every item changed since the last flush; on failure they stay dirty."""
        dirty, self._dirty = self._dirty, set()
        try:
            await self._write(dirty)
        except Exception:
            self._dirty |= dirty
            raise

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:
                log.exception("could not store %s states; will retry", self._name)
