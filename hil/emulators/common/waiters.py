"""Waiting for what the host sends: a test asks an emulator for the next frame that
matches, with a time-out. The same bookkeeping in both emulators, written once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Waiters(Generic[T]):
    """Futures waiting for an item that matches their predicate."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    async def wait(self, match: Callable[[T], bool], timeout: float) -> T:
        """The next offered item ``match`` accepts; ``TimeoutError`` after ``timeout``."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = (match, future)
        self._waiting.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            with contextlib.suppress(ValueError):
                self._waiting.remove(entry)

    def offer(self, item: T) -> None:
        """Hands ``item`` to every waiter whose predicate accepts it."""
        for match, future in list(self._waiting):
            if not future.done() and match(item):
                future.set_result(item)

    def cancel(self) -> None:
        """The emulator stops: nobody waits any longer."""
        for _, future in self._waiting:
            future.cancel()
