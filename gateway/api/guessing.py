"""Throttling of password guessing, per client address and for the whole gateway.

Why: a password check costs a scrypt derivation on purpose, and without a limit a guesser
may try as fast as the gateway can answer (300 wrong admin passwords at 100-200 ms each,
never a 429). Here each client address gets :data:`FREE_FAILURES` wrong attempts; after
the last of them it must wait before the next one, the wait doubling with each further failure up to
:data:`MAX_DELAY` (a right password resets the count, and failures are forgotten after a
quiet :data:`FORGET_AFTER`). A guesser spreading over many addresses meets the global limit:
more than :data:`GLOBAL_FAILURES` failures in :data:`GLOBAL_WINDOW` seconds pause every
password check for the rest of the window.

A throttled attempt is answered 429 with ``Retry-After`` by each API in its own error
format, *without* checking the password, so it costs nothing. Only requests that carry
credentials are counted or throttled: requests with a valid API key never are.

Logging: one WARNING when a client (or the gateway as a whole) starts being throttled, and
one INFO line with the number of refused attempts when its burst is over, never one per
attempt.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

log = logging.getLogger(__name__)

FREE_FAILURES: Final = 5
BASE_DELAY: Final = 1.0
MAX_DELAY: Final = 60.0
FORGET_AFTER: Final = 600.0
GLOBAL_FAILURES: Final = 60
GLOBAL_WINDOW: Final = 10.0
MAX_TRACKED: Final = 4096


@dataclass
class _Client:
    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0
    refused: int = 0  # attempts answered 429 in the current burst


class GuessThrottle:
    """Wrong-password bookkeeping for one API; all methods are cheap and synchronous."""

    def __init__(
        self,
        name: str,
        *,
        free_failures: int = FREE_FAILURES,
        base_delay: float = BASE_DELAY,
        max_delay: float = MAX_DELAY,
        forget_after: float = FORGET_AFTER,
        global_failures: int = GLOBAL_FAILURES,
        global_window: float = GLOBAL_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_TRACKED,
    ) -> None:
        self.name = name
        self._free = free_failures
        self._base = base_delay
        self._max_delay = max_delay
        self._forget = forget_after
        self._global_failures = global_failures
        self._global_window = global_window
        self._clock = clock
        self._max_clients = max_clients
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._recent: deque[float] = deque()
        self._global_until = 0.0
        self._global_refused = 0

    def retry_after(self, client: str) -> float:
        """0.0 when ``client`` may try a password now, else the seconds to wait.

        A positive answer counts as a refused attempt (the caller answers 429).
        """
        now = self._clock()
        entry = self._entry(client, now, create=False)
        wait = max(entry.blocked_until - now if entry else 0.0, self._global_until - now)
        if wait <= 0:
            return 0.0
        if entry is not None and entry.blocked_until > now:
            entry.refused += 1
        if self._global_until > now:
            self._global_refused += 1
        return wait

    def failed(self, client: str) -> None:
        """``client`` gave a wrong password: count it, maybe start or lengthen its wait."""
        now = self._clock()
        entry = self._entry(client, now, create=True)
        assert entry is not None
        entry.failures += 1
        entry.last_failure = now
        over = entry.failures - self._free + 1  # the free-th failure starts the first wait
        if over > 0:
            delay = min(self._max_delay, self._base * 2 ** min(over - 1, 32))
            if entry.blocked_until <= now and entry.refused == 0 and over == 1:
                log.warning(
                    "event=auth_throttled api=%s client=%s failures=%d retry_after=%.0f",
                    self.name,
                    client,
                    entry.failures,
                    delay,
                )
            entry.blocked_until = now + delay
        self._count_globally(now)

    def succeeded(self, client: str) -> None:
        """A right password: the client's count starts again."""
        entry = self._clients.pop(client, None)
        if entry is not None:
            self._end_burst(client, entry)

    def _count_globally(self, now: float) -> None:
        recent = self._recent
        recent.append(now)
        while recent and recent[0] <= now - self._global_window:
            recent.popleft()
        if len(recent) > self._global_failures and self._global_until <= now:
            self._global_until = now + self._global_window
            log.warning(
                "event=auth_throttled api=%s client=* failures=%d window_s=%.0f retry_after=%.0f",
                self.name,
                len(recent),
                self._global_window,
                self._global_window,
            )
            self._global_refused = 0
            recent.clear()

    def _entry(self, client: str, now: float, *, create: bool) -> _Client | None:
        entry = self._clients.get(client)
        if entry is not None and now - entry.last_failure > self._forget:
            del self._clients[client]
            self._end_burst(client, entry)
            entry = None
        if entry is None:
            if not create:
                return None
            entry = _Client()
            self._clients[client] = entry
            self._prune(now)
        self._clients.move_to_end(client)
        return entry

    def _prune(self, now: float) -> None:
        if len(self._clients) <= self._max_clients:
            return
        for name in [n for n, e in self._clients.items() if now - e.last_failure > self._forget]:
            self._end_burst(name, self._clients.pop(name))
        while len(self._clients) > self._max_clients:
            self._clients.popitem(last=False)

    def _end_burst(self, client: str, entry: _Client) -> None:
        if entry.refused:
            log.info(
                "event=auth_throttle_ended api=%s client=%s failures=%d refused=%d",
                self.name,
                client,
                entry.failures,
                entry.refused,
            )


def retry_after_header(seconds: float) -> dict[str, str]:
    """``Retry-After`` in whole seconds, rounded up (0.2 s is "1", never "0")."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
