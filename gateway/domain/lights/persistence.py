"""Coalesced writing of light state, from the lamps' reports and from client commands.

Why coalesced: a dimming lamp reports several times a second, and a client dimming it
sends as many commands; either way the state is the lamp's own (it holds it, reports it,
and the bridge reads it back after every reconnect), not a configuration change a client
was promised on disk. Writing each change with an fsync cost more than the radio frame
itself. A change marks the light dirty; the last state of each dirty light is written in
one transaction every ``interval`` seconds and at stop. A power cut loses at most the last
``interval`` seconds of lamp state; names, keys and configuration are still written with
``synchronous=FULL`` before their answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from gateway.store import Store

log = logging.getLogger(__name__)


class StateFlusher:
    """Remembers which lights changed by reports and writes their last state in batches."""

    def __init__(
        self,
        store: Store,
        states: Callable[[set[int]], dict[int, dict[str, Any]]],
        interval: float,
    ) -> None:
        self._store = store
        self._states = states
        self._interval = interval
        self._dirty: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def mark(self, light_id: int) -> None:
        self._dirty.add(light_id)

    def discard(self, light_id: int) -> None:
        """The light's state was just written (or it is gone): nothing pending for it."""
        self._dirty.discard(light_id)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="lights-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        """Write the state of every light changed by reports since the last flush."""
        dirty, self._dirty = self._dirty, set()
        try:
            await self._store.lights.save_states(self._states(dirty))
        except Exception:
            self._dirty |= dirty
            raise

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:
                log.exception("could not store light states; will retry")
