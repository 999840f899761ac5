"""An append-only log that can be awaited: what the HIL observers (the deCONZ websocket,
the KNX bus monitor) record, so a test can wait for a matching entry after a mark."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class WatchedLog(Generic[T]):
    """Entries in arrival order; :meth:`wait_for` wakes on every new one."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._grew = asyncio.Event()

    def append(self, item: T) -> None:
        self.items.append(item)
        self._grew.set()

    def mark(self) -> int:
        """A position to pass as ``since``: only later entries count."""
        return len(self.items)

    async def wait_for(
        self, predicate: Callable[[T], bool], *, timeout: float, since: int = 0
    ) -> T:
        """The first entry from index ``since`` on that matches; TimeoutError after
        ``timeout`` seconds, with the entries seen since ``since`` in the message."""
        deadline = time.monotonic() + timeout
        checked = since
        while True:
            for item in self.items[checked:]:
                if predicate(item):
                    return item
            checked = len(self.items)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no match within {timeout:g} s; saw {self.items[since:]}")
            self._grew.clear()
            try:
                await asyncio.wait_for(self._grew.wait(), remaining)
            except TimeoutError:
                continue
