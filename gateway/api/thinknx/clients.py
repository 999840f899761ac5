"""Per-client rate limiting and the count of connected clients, both keyed by address.

Why a token bucket per client address: the spec answers 429 when "the request exceeded the
rate limit", a limit per caller. A bucket of ``burst`` tokens refilled at ``rate`` per second
lets an app fetch a screen of statuses at once while a loop gone wrong is held to ``rate``.
The check runs before authentication, so it also slows password guessing, and a refused
request never reaches the bus. Both tables are bounded: idle entries are dropped first.

"Connected clients" (``serverStatus``) are the distinct addresses that made an authenticated
request in the last five minutes; HTTP/1.1 connections come and go per request for most
integrations, so counting open sockets would mostly say 0.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

MAX_TRACKED: Final = 4096
CLIENT_WINDOW: Final = 300.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by client address; ``rate == 0`` turns limiting off."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_TRACKED,
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._max = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def acquire(self, client: str) -> float:
        """Take a token for ``client``: 0.0 when allowed, else the seconds until one is due."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets[client] = bucket
            self._prune(now)
        else:
            self._buckets.move_to_end(client)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= self._max:
            return
        full = self.burst / self.rate
        for client in [c for c, b in self._buckets.items() if now - b.updated >= full]:
            del self._buckets[client]
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)


class ClientTracker:
    """Remembers when each client address last made an authenticated request."""

    def __init__(
        self,
        *,
        window: float = CLIENT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_TRACKED,
    ) -> None:
        self._window = window
        self._clock = clock
        self._max = max_clients
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen(self, client: str) -> None:
        self._seen[client] = self._clock()
        self._seen.move_to_end(client)
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)

    def count(self) -> int:
        """Distinct clients within the window (older entries are dropped on the way)."""
        horizon = self._clock() - self._window
        while self._seen and next(iter(self._seen.values())) < horizon:
            self._seen.popitem(last=False)
        return len(self._seen)
