"""Bursts of commands to one lamp: last write wins, and every caller gets a true answer.

Why: a slider in an app sends a new brightness many times a second, often before the
previous command was delivered. Queueing all of them would make the lamp lag further and
further behind the finger and fill the radio with values nobody wants any more. Per lamp
and kind of setting (switching, level, colour) at most one command is in flight and at
most one waits; a newer command takes the waiting place, and the callers it replaced get
*its* outcome — their value was set and at once overwritten, which is what they would
see had every frame gone out. Actions that are not settings (identify, colour loop) are
never coalesced. Nothing here queues without bound: two commands per lamp and kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

Send = Callable[[], Awaitable[None]]


@dataclass
class _Slot:
    waiting: Send | None = None
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


class LatestWins:
    """Runs sends per key: one in flight, the newest one waiting, older waiting ones merged."""

    def __init__(self) -> None:
        self._slots: dict[Hashable, _Slot] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def busy(self, key: Hashable) -> bool:
        return key in self._slots

    async def run(self, key: Hashable, send: Send) -> None:
        """Send now if nothing is in flight for ``key``, else wait for the newest send."""
        slot = self._slots.get(key)
        if slot is None:
            self._slots[key] = _Slot()
            try:
                await send()
            finally:
                self._next(key)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        slot.waiting = send  # replaces an older waiting send: its callers share this outcome
        slot.waiters.append(waiter)
        await waiter

    def _next(self, key: Hashable) -> None:
        """The send in flight for ``key`` is done: start the waiting one, if any."""
        slot = self._slots.get(key)
        if slot is None or slot.waiting is None:
            self._slots.pop(key, None)
            return
        send, waiters = slot.waiting, slot.waiters
        self._slots[key] = _Slot()
        task = asyncio.create_task(self._run_for(key, send, waiters), name="coalesced-command")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_for(
        self, key: Hashable, send: Send, waiters: list[asyncio.Future[None]]
    ) -> None:
        try:
            await send()
        except BaseException as exc:
            for waiter in waiters:
                if not waiter.done():
                    if isinstance(exc, asyncio.CancelledError):
                        waiter.cancel()
                    else:
                        waiter.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        finally:
            self._next(key)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._slots.clear()
