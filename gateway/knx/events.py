"""Group telegrams as events: the status cache and bounded subscriptions.

Why a queue per subscriber that drops its *oldest* event when full (unlike
``gateway.domain.events``, which closes an overflowing subscriber): what flows here is KNX state.
A feedback wait or a status page needs the latest value on a group address, and a consumer
that fell behind loses nothing it still needs when stale values make room for new ones. The
count of dropped events is kept so that a test or a status page can see it happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

from xknx.dpt.payload import DPTArray, DPTBinary

from .errors import KnxTimeout

log = logging.getLogger(__name__)

EventKind = Literal["write", "response", "read"]


@dataclass(frozen=True)
class GroupEvent:
    """One group telegram seen on the bus, ours or another device's.

    ``payload`` is None for a read (a GroupValueRead carries no value). ``own`` is True for
    telegrams this gateway sent; ``received_at`` is the link's monotonic clock.
    """

    group_address: str
    payload: DPTBinary | DPTArray | None
    kind: EventKind
    source: str
    own: bool
    received_at: float


@dataclass(eq=False)
class Subscription:
    """A bounded stream of :class:`GroupEvent` for one group address (or all of them).

    Use it as a context manager so it is always closed::

        with link.subscribe("1/0/2") as feedback:
            await link.write("1/0/1", "1", 1)
            event = await feedback.get(within=3)
    """

    group_address: str | None
    maxsize: int
    _on_close: Callable[[Subscription], None]
    dropped: int = 0
    closed: bool = False
    _events: deque[GroupEvent] = field(default_factory=deque)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, event: GroupEvent) -> bool:
        """Queue without waiting; when full, the oldest event makes room (returns True)."""
        if self.closed:
            return False
        dropped = len(self._events) >= self.maxsize
        if dropped:
            self._events.popleft()
            self.dropped += 1
        self._events.append(event)
        self._ready.set()
        return dropped

    def get_nowait(self) -> GroupEvent | None:
        """The next queued event, or None."""
        if not self._events:
            return None
        event = self._events.popleft()
        if not self._events:
            self._ready.clear()
        return event

    async def get(self, within: float | None = None) -> GroupEvent:
        """The next event; :class:`KnxTimeout` when none arrives ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                while True:
                    if (event := self.get_nowait()) is not None:
                        return event
                    if self.closed:
                        raise KnxTimeout("subscription closed")
                    await self._ready.wait()
        except TimeoutError:
            target = self.group_address or "any group address"
            raise KnxTimeout(f"no telegram on {target} within {within:g} s") from None

    def close(self) -> None:
        """Stop receiving; waiting ``get`` calls end with :class:`KnxTimeout`."""
        if not self.closed:
            self.closed = True
            self._ready.set()
            self._on_close(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[GroupEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[GroupEvent]:
        while True:
            try:
                yield await self.get()
            except KnxTimeout:
                return


class EventHub:
    """Fans group events out to subscribers and remembers the last value per address."""

    def __init__(self) -> None:
        self._by_address: dict[str, list[Subscription]] = {}
        self._all: list[Subscription] = []
        self._last: dict[str, GroupEvent] = {}
        self.dropped = 0

    def subscribe(self, group_address: str | None, maxsize: int) -> Subscription:
        """A new subscription; ``group_address`` must already be canonical (or None)."""
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        sub = Subscription(group_address, maxsize, self._remove)
        if group_address is None:
            self._all.append(sub)
        else:
            self._by_address.setdefault(group_address, []).append(sub)
        return sub

    def publish(self, event: GroupEvent) -> None:
        """Deliver ``event``; writes and responses also become the address's last value."""
        if event.kind != "read":
            self._last[event.group_address] = event
        for sub in (*self._by_address.get(event.group_address, ()), *self._all):
            if sub.offer(event):
                self.dropped += 1

    def last_event(self, group_address: str) -> GroupEvent | None:
        """The last write or response seen for a canonical address."""
        return self._last.get(group_address)

    @property
    def subscriber_count(self) -> int:
        """Open subscriptions, for status pages and leak checks in tests."""
        return len(self._all) + sum(len(subs) for subs in self._by_address.values())

    def _remove(self, sub: Subscription) -> None:
        if sub.group_address is None:
            if sub in self._all:
                self._all.remove(sub)
            return
        subs = self._by_address.get(sub.group_address, [])
        if sub in subs:
            subs.remove(sub)
        if not subs:
            self._by_address.pop(sub.group_address, None)
