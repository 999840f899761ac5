"""Latest-wins work lanes: commands and telegrams never pile up behind a slow peer.

Why not a queue: a lamp that stops answering makes each command wait for its APS time-out
(seconds), and a KNX link that is down fails every send. A wall switch pressed ten times
meanwhile must not become ten late commands. Each lane runs one job at a time and keeps at
most one more, the newest: what is kept is bounded by the number of lanes (one per target
and function, one per status address), never by the traffic. Button presses are events, not
state, so their lanes keep a few (``keep``) instead of one; the oldest make room.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Lanes:
    """Runs jobs per key: one at a time, and only the newest waiting one."""

    def __init__(self) -> None:
        self._pending: dict[str, deque[Job]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self.replaced = 0

    def submit(self, key: str, job: Job, *, keep: int = 1) -> None:
        waiting = self._pending.setdefault(key, deque(maxlen=keep))
        if len(waiting) == waiting.maxlen:
            self.replaced += 1
        waiting.append(job)
        if key not in self._running:
            self._running[key] = asyncio.create_task(self._drain(key), name=f"binding-{key}")

    async def _drain(self, key: str) -> None:
        try:
            while waiting := self._pending.get(key):
                job = waiting.popleft()
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # each job logs what it knows; this is the backstop
                    log.warning("event=binding_job_failed lane=%s error=%r", key, exc)
        finally:
            self._running.pop(key, None)

    @property
    def busy(self) -> int:
        return len(self._running)

    async def idle(self) -> None:
        """Wait until no lane has work (tests and shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def stop(self) -> None:
        self._pending.clear()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._running.clear()
