"""In-process publish/subscribe for state changes.

Why this exists: domain services (lights, config, KNX devices) must not know who is
listening. The websocket server, and later MQTT, subscribe here. Each subscriber gets its
own bounded buffer so that one slow consumer (a phone on a bad Wi-Fi link) can never block
the publisher or the other subscribers: when a buffer is full the subscriber is marked
overflowed and closed, and it is the consumer's job to reconnect and re-read the state.

Why events travel as :class:`Published`: with fifty websocket clients an event used to be
encoded fifty times; the envelope encodes it once, on first use, for every subscriber.
Waiting costs nothing: a consumer sleeps on an :class:`asyncio.Event` (no polling), and
:attr:`Subscription.closed_signal` lets it notice an overflow even while it is stuck
elsewhere (a send to a client that stopped reading).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import orjson

log = logging.getLogger(__name__)

Event = dict[str, Any]


class SubscriptionClosed(Exception):
    """The subscription was closed, by the bus (overflow) or by its owner."""


class Published:
    """One published event and, once asked for, its JSON text (shared by every subscriber).

    Subscribers must not modify ``event``: the same object reaches all of them.
    """

    __slots__ = ("_text", "event")

    def __init__(self, event: Event) -> None:
        self.event = event
        self._text: str | None = None

    @property
    def text(self) -> str:
        """Compact UTF-8 JSON of the event, encoded on first use only."""
        if self._text is None:
            try:
                self._text = orjson.dumps(self.event).decode()
            except TypeError:  # a key orjson refuses (not exactly str): the slow way
                self._text = json.dumps(self.event, separators=(",", ":"), ensure_ascii=False)
        return self._text


class Subscription:
    """One consumer's view of the bus: a bounded buffer of events."""

    def __init__(self, bus: EventBus, maxsize: int) -> None:
        self.bus = bus
        self.maxsize = maxsize
        self.overflowed = False
        self.closed = False
        self.closed_signal = asyncio.Event()
        self._buffer: deque[Published] = deque()
        self._ready = asyncio.Event()

    def offer(self, item: Published) -> None:
        """Buffer an event without waiting; on overflow close the subscription."""
        if self.closed:
            return
        if len(self._buffer) >= self.maxsize:
            self.overflowed = True
            self.close()
            return
        self._buffer.append(item)
        self._ready.set()

    def close(self) -> None:
        """Stop receiving; a pending ``get`` raises :class:`SubscriptionClosed`."""
        if self.closed:
            return
        self.closed = True
        self.bus.unsubscribe(self)
        self._buffer.clear()
        self._ready.set()
        self.closed_signal.set()

    async def next(self) -> Published:
        """Next event with its shared encoding, or :class:`SubscriptionClosed` once closed."""
        while not self._buffer:
            if self.closed:
                raise SubscriptionClosed
            self._ready.clear()
            await self._ready.wait()
        if self.closed:
            raise SubscriptionClosed
        return self._buffer.popleft()

    async def get(self) -> Event:
        """Next event, or :class:`SubscriptionClosed` once closed."""
        return (await self.next()).event

    def qsize(self) -> int:
        return len(self._buffer)

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
        if not self._subscribers:
            return
        item = Published(event)
        for sub in list(self._subscribers):
            sub.offer(item)
            if sub.overflowed:
                log.warning("event subscriber too slow; closed it (buffer of %d full)", sub.maxsize)
