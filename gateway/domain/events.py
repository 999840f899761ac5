"""In-process publish/subscribe for state changes.

Why this exists: domain services (lights, config, KNX devices) must not know who is
listening. The websocket server, and later MQTT, subscribe here. Each subscriber gets its
own bounded queue so that one slow consumer (a phone on a bad Wi-Fi link) can never block
the publisher or the other subscribers: when a queue is full the subscriber is marked
overflowed and closed, and it is the consumer's job to reconnect and re-read the state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]


class SubscriptionClosed(Exception):
    """The subscription was closed, by the bus (overflow) or by its owner."""


@dataclass(eq=False)
class Subscription:
    """One consumer's view of the bus: a bounded queue of events."""

    bus: EventBus
    maxsize: int
    queue: asyncio.Queue[Event | None] = field(init=False)
    overflowed: bool = False
    closed: bool = False

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.maxsize + 1)  # one extra slot for the close marker

    def offer(self, event: Event) -> None:
        """Queue an event without waiting; on overflow close the subscription."""
        if self.closed:
            return
        if self.queue.qsize() >= self.maxsize:
            self.overflowed = True
            self.close()
            return
        self.queue.put_nowait(event)

    def close(self) -> None:
        """Stop receiving; a pending ``get`` raises :class:`SubscriptionClosed`."""
        if self.closed:
            return
        self.closed = True
        self.bus.unsubscribe(self)
        self.queue.put_nowait(None)

    async def get(self) -> Event:
        """Next event, or :class:`SubscriptionClosed` once closed."""
        if self.closed and self.queue.empty():
            raise SubscriptionClosed
        event = await self.queue.get()
        if event is None:
            raise SubscriptionClosed
        return event

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.get()
            except SubscriptionClosed:
                return


class EventBus:
    """Fan-out of events to every current subscriber; publishing never waits."""

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()

    def subscribe(self, maxsize: int = 256) -> Subscription:
        sub = Subscription(self, maxsize)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: Event) -> None:
        for sub in list(self._subscribers):
            sub.offer(event)
            if sub.overflowed:
                log.warning("event subscriber too slow; closed it (queue of %d full)", sub.maxsize)
