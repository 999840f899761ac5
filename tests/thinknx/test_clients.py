"""The per-client tables behind 429 and ``connected_clients``: exact and bounded."""

from __future__ import annotations

from gateway.api.thinknx.clients import ClientTracker, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_one_request_per_refill():
    clock = Clock()
    limiter = RateLimiter(2.0, 3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == 0.5  # seconds until the next token
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0


def test_the_limiter_forgets_idle_clients_first_when_full():
    clock = Clock()
    limiter = RateLimiter(1.0, 1, clock=clock, max_clients=2)
    limiter.acquire("idle")
    clock.now += 5
    limiter.acquire("busy")
    limiter.acquire("new")  # over the bound: "idle" has a full bucket and goes
    assert limiter.acquire("busy") > 0  # still remembered: its token is spent
    assert limiter.acquire("idle") == 0.0  # forgotten: a fresh, full bucket


def test_connected_clients_are_the_distinct_addresses_of_the_last_window():
    clock = Clock()
    clients = ClientTracker(window=300, clock=clock)
    clients.seen("192.0.2.1")
    clients.seen("192.0.2.2")
    clients.seen("192.0.2.1")
    assert clients.count() == 2
    clock.now += 200
    clients.seen("192.0.2.2")
    clock.now += 150
    assert clients.count() == 1
