"""Password guessers on ``POST /api`` through a real uvicorn socket (issue 12, items 5 and 6).

Before: scrypt ran on the event loop, so 8 parallel guessers pushed ``GET /api/config`` to
1.2-1.8 s, and nothing ever answered 429. Now the checks run in two password threads and a
guesser is throttled per address (and globally) with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from gateway.api.guessing import GuessThrottle
from tests.helpers.harness import ADMIN_PASSWORD, DeconzHarness, basic, harness
from tests.helpers.servers import running_server

WRONG = {"Authorization": "Basic " + basic("delight", "wrong-guess")}
RIGHT = {"Authorization": "Basic " + basic("delight", ADMIN_PASSWORD)}
BODY = {"devicetype": "guesser"}


@asynccontextmanager
async def served(url: str) -> AsyncIterator[tuple[DeconzHarness, str]]:
    async with harness(url) as h, running_server(h.app) as base:
        yield h, base


def client(base: str, source: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=30)


async def _guess_until(base: str, stop: asyncio.Event, statuses: list[int]) -> None:
    async with client(base) as c:
        while not stop.is_set():
            r = await c.post("/api", json=BODY, headers=WRONG)
            statuses.append(r.status_code)


async def test_eight_guessers_do_not_stall_other_requests(sqlite_url):
    """The loop stays free while scrypt runs: GETs stay fast under 8 parallel guessers."""
    async with served(sqlite_url) as (h, base):
        # Throttling off: this test is about the cost of the checks themselves.
        h.services.guesses = GuessThrottle("deconz", free_failures=10**9, global_failures=10**9)
        stop = asyncio.Event()
        statuses: list[int] = []
        guessers = [asyncio.create_task(_guess_until(base, stop, statuses)) for _ in range(8)]
        latencies: list[float] = []
        async with client(base) as c:
            await asyncio.sleep(0.3)  # the guessers are going
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline:
                started = time.monotonic()
                r = await c.get("/api/config")
                latencies.append(time.monotonic() - started)
                assert r.status_code == 200
                await asyncio.sleep(0.02)
        stop.set()
        await asyncio.gather(*guessers)
        assert statuses and set(statuses) == {403}, set(statuses)
        median = statistics.median(latencies)
        worst = max(latencies)
        print(
            f"GET /api/config under 8 guessers: median {median * 1000:.1f} ms, "
            f"max {worst * 1000:.1f} ms, {len(latencies)} GETs, {len(statuses)} guesses"
        )
        # Before: 1.2-1.8 s. A check is ~50 ms of scrypt; the loop must not wait for them.
        assert median < 0.1
        assert worst < 0.6


async def test_a_guesser_gets_429_with_retry_after_after_five_failures(sqlite_url, caplog):
    caplog.set_level(logging.INFO, logger="gateway.api.guessing")
    async with served(sqlite_url) as (h, base), client(base) as c:
        h.services.guesses = GuessThrottle("deconz", base_delay=30)  # no wait ends mid-test
        answers = [await c.post("/api", json=BODY, headers=WRONG) for _ in range(300)]
        statuses = [r.status_code for r in answers]
        assert statuses[:5] == [403] * 5
        assert statuses[5:] == [429] * 295
        throttled = answers[-1]
        assert 1 <= int(throttled.headers["retry-after"]) <= 30
        error = throttled.json()[0]["error"]
        assert error["type"] == 101 and error["address"] == "/"
        assert "retry in" in error["description"]
        # Even the right password waits: a throttled attempt is never checked.
        r = await c.post("/api", json=BODY, headers=RIGHT)
        assert r.status_code == 429
        assert h.services.api_keys.clients() == []
        warnings = [r for r in caplog.records if "event=auth_throttled" in r.getMessage()]
        assert len(warnings) == 1


async def test_the_wait_doubles_and_a_right_password_resets_the_count(sqlite_url):
    async with served(sqlite_url) as (h, base), client(base) as c:
        h.services.guesses = GuessThrottle("deconz", free_failures=2, base_delay=0.2)
        for _ in range(2):
            assert (await c.post("/api", json=BODY, headers=WRONG)).status_code == 403
        assert (await c.post("/api", json=BODY, headers=WRONG)).status_code == 429
        await asyncio.sleep(0.25)
        assert (await c.post("/api", json=BODY, headers=WRONG)).status_code == 403
        assert (await c.post("/api", json=BODY, headers=WRONG)).status_code == 429
        await asyncio.sleep(0.25)  # the second wait is 0.4 s
        assert (await c.post("/api", json=BODY, headers=RIGHT)).status_code == 429
        await asyncio.sleep(0.2)
        assert (await c.post("/api", json=BODY, headers=RIGHT)).status_code == 200
        assert (await c.post("/api", json=BODY, headers=WRONG)).status_code == 403


async def test_other_addresses_and_keyed_requests_are_not_throttled(sqlite_url):
    async with served(sqlite_url) as (h, base):
        key = await h.new_key()
        async with client(base, "127.0.0.1") as guesser, client(base, "127.0.0.2") as admin:
            for _ in range(10):
                await guesser.post("/api", json=BODY, headers=WRONG)
            assert (await guesser.post("/api", json=BODY, headers=WRONG)).status_code == 429
            assert (await guesser.get(f"/api/{key}/config")).status_code == 200
            assert (await admin.post("/api", json=BODY, headers=RIGHT)).status_code == 200


async def test_guessers_on_many_addresses_meet_the_global_limit(sqlite_url):
    async with served(sqlite_url) as (h, base):
        h.services.guesses = GuessThrottle("deconz", free_failures=3, global_failures=20)
        statuses: list[int] = []
        for n in range(2, 12):  # ten addresses, three free failures each
            async with client(base, f"127.0.0.{n}") as c:
                for _ in range(3):
                    statuses.append((await c.post("/api", json=BODY, headers=WRONG)).status_code)
        assert statuses.count(403) == 21
        assert statuses[21:] == [429] * 9
        async with client(base, "127.0.0.99") as newcomer:
            r = await newcomer.post("/api", json=BODY, headers=WRONG)
            assert r.status_code == 429
            assert "retry-after" in r.headers
