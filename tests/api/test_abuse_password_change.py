"""Guessing the admin password through ``PUT config/password``, over a real uvicorn socket.

Issue 12, item 6: a key holder could try old passwords as fast as the gateway answered,
because only ``POST /api`` was throttled. Now both routes spend one budget per client
address (``services.guesses``): 429 with ``Retry-After`` in deCONZ's error format, and a
throttled attempt is not checked at all, so even the right old password changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from gateway.api.guessing import GuessThrottle
from tests.helpers.harness import ADMIN_PASSWORD, DeconzHarness, basic, harness
from tests.helpers.servers import running_server

NEW_PASSWORD = "a-new-admin-password"
BODY = {"devicetype": "guesser"}


def change(old: str, new: str = NEW_PASSWORD) -> dict[str, Any]:
    return {
        "username": "delight",
        "oldhash": basic("delight", old),
        "newhash": basic("delight", new),
    }


def post_api_as(password: str) -> dict[str, Any]:
    return {"json": BODY, "headers": {"Authorization": "Basic " + basic("delight", password)}}


@asynccontextmanager
async def served(url: str, throttle: GuessThrottle) -> AsyncIterator[tuple[DeconzHarness, str]]:
    async with harness(url) as h, running_server(h.app) as base:
        h.services.guesses = throttle
        yield h, base


def client(base: str, source: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=30)


async def test_wrong_old_passwords_get_429_with_retry_after_and_the_right_one_waits_too(
    sqlite_url, caplog
):
    caplog.set_level(logging.INFO, logger="gateway.api.guessing")
    async with served(sqlite_url, GuessThrottle("deconz", base_delay=30)) as (h, base):
        key = await h.new_key()
        url = f"/api/{key}/config/password"
        async with client(base) as c:
            answers = [await c.put(url, json=change("wrong-guess")) for _ in range(20)]
            assert [r.status_code for r in answers] == [401] * 5 + [429] * 15
            throttled = answers[-1]
            assert 1 <= int(throttled.headers["retry-after"]) <= 30
            assert throttled.json() == [
                {
                    "error": {
                        "type": 101,
                        "address": "/config/password",
                        "description": "too many failed password attempts; retry in "
                        f"{throttled.headers['retry-after']} s",
                    }
                }
            ]
            # The right old password is not even checked while throttled: nothing changes.
            r = await c.put(url, json=change(ADMIN_PASSWORD))
            assert r.status_code == 429
            # The key itself still works for everything else.
            assert (await c.get(f"/api/{key}/config")).status_code == 200
        async with client(base, "127.0.0.2") as admin:
            assert (await admin.post("/api", **post_api_as(ADMIN_PASSWORD))).status_code == 200
            assert (await admin.post("/api", **post_api_as(NEW_PASSWORD))).status_code == 403
    warnings = [r for r in caplog.records if "event=auth_throttled" in r.getMessage()]
    assert len(warnings) == 1


async def test_post_api_and_password_change_share_one_budget(sqlite_url):
    async with served(sqlite_url, GuessThrottle("deconz", free_failures=4, base_delay=30)) as (
        h,
        base,
    ):
        key = await h.new_key()
        url = f"/api/{key}/config/password"
        async with client(base) as c:
            for _ in range(2):
                assert (await c.post("/api", **post_api_as("wrong-guess"))).status_code == 403
            for _ in range(2):
                assert (await c.put(url, json=change("wrong-guess"))).status_code == 401
            # Four failures over the two routes: both are now closed to this address.
            assert (await c.put(url, json=change("wrong-guess"))).status_code == 429
            assert (await c.post("/api", **post_api_as(ADMIN_PASSWORD))).status_code == 429


async def test_a_right_old_password_starts_the_count_again(sqlite_url):
    throttle = GuessThrottle("deconz", free_failures=2, base_delay=30)
    async with served(sqlite_url, throttle) as (h, base):
        key = await h.new_key()
        url = f"/api/{key}/config/password"
        async with client(base) as c:
            assert (await c.put(url, json=change("wrong-guess"))).status_code == 401
            r = await c.put(url, json=change(ADMIN_PASSWORD))
            assert r.status_code == 200, r.text
            # Without the reset the next failure would be the second and start a wait.
            assert (await c.put(url, json=change("wrong-guess"))).status_code == 401
            assert (await c.put(url, json=change("wrong-guess"))).status_code == 401
            assert (await c.put(url, json=change("wrong-guess"))).status_code == 429


async def test_a_throttled_password_change_is_answered_at_once_without_a_check(sqlite_url):
    """429s cost no scrypt: 50 of them take less time than a handful of real checks."""
    async with served(sqlite_url, GuessThrottle("deconz", free_failures=1, base_delay=30)) as (
        h,
        base,
    ):
        key = await h.new_key()
        url = f"/api/{key}/config/password"
        async with client(base) as c:
            assert (await c.put(url, json=change("wrong-guess"))).status_code == 401
            started = asyncio.get_running_loop().time()
            statuses = [
                (await c.put(url, json=change("wrong-guess"))).status_code for _ in range(50)
            ]
            elapsed = asyncio.get_running_loop().time() - started
        assert statuses == [429] * 50
        print(f"50 throttled password changes in {elapsed * 1000:.0f} ms")
        assert elapsed < 2.5
