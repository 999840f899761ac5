"""Abuse of the Thinknx API through a real uvicorn socket (issue 12, items 6 and 8).

Before: 300 wrong Basic, Digest or query passwords were each checked (100-200 ms of scrypt)
and answered 403, never 429; ``group=`` of 4,301 digits was a 500.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.thinknx.conftest import PASSWORD, USER, RigFactory

POWER = "/api/V1/power?guid=living_room_light&cmd=1"
ATTEMPTS = 300


def _wrong_client(base: str, scheme: str) -> tuple[httpx.AsyncClient, str]:
    if scheme == "basic":
        return httpx.AsyncClient(base_url=base, auth=httpx.BasicAuth(USER, "wrong-guess")), POWER
    if scheme == "digest":
        auth = httpx.DigestAuth(USER, "wrong-guess")
        return httpx.AsyncClient(base_url=base, auth=auth), POWER + "&auth=digest"
    return httpx.AsyncClient(base_url=base), POWER + f"&user={USER}&pass=wrong-guess"


@pytest.mark.parametrize("scheme", ["basic", "digest", "query"])
async def test_wrong_passwords_are_throttled_with_429_and_retry_after(
    make_rig: RigFactory, scheme: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig = await make_rig(rate_limit=0)  # only the guess throttle may answer 429 here
    mark = rig.mark()
    wrong, url = _wrong_client(rig.base_url, scheme)
    async with wrong:
        statuses = [(await wrong.get(url)).status_code for _ in range(ATTEMPTS)]
        last = await wrong.get(url)
    assert statuses[:5] == [403] * 5
    assert statuses.count(403) <= 8  # the waits double: at most a few more real checks
    assert statuses.count(429) >= ATTEMPTS - 8
    assert last.status_code == 429
    assert last.json() == {"error": "rate limit exceeded"}
    assert int(last.headers["retry-after"]) >= 1
    assert rig.sent_since(mark) == []
    throttled = [r for r in caplog.records if "event=auth_throttled" in r.getMessage()]
    assert len(throttled) == 1
    failed = [r for r in caplog.records if "event=thinknx_auth_failed" in r.getMessage()]
    assert len(failed) == statuses.count(403)


async def test_a_throttled_address_does_not_lock_out_others(make_rig: RigFactory) -> None:
    rig = await make_rig(rate_limit=0)
    guesser = rig.new_client(
        auth=httpx.BasicAuth(USER, "wrong-guess"),
        transport=httpx.AsyncHTTPTransport(local_address="127.0.0.1"),
    )
    for _ in range(6):
        await guesser.get(POWER)
    assert (await guesser.get(POWER)).status_code == 429
    other = rig.new_client(
        auth=httpx.BasicAuth(USER, PASSWORD),
        transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2"),
    )
    assert (await other.get(POWER)).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "group=" + "1" * 4301 + "&value=1",
        "group=1/0/1&value=" + "1" * 4301,
        "group=" + "9" * 5000,
        "group=1/0/" + "1" * 4400 + "&value=1",
    ],
)
async def test_huge_numbers_in_parameters_are_params_errors(rig, query: str) -> None:
    mark = rig.mark()
    r = await rig.client.get(f"/api/V1/system/sendKNXbit?{query}")
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "params errors"}
    assert rig.sent_since(mark) == []


async def test_an_empty_guid_is_a_params_error(rig) -> None:
    r = await rig.client.get("/api/V1/power?guid=&cmd=1")
    assert r.status_code == 400
    assert r.json() == {"error": "params errors"}


async def test_trace_is_405_with_allow(rig) -> None:
    r = await rig.client.request("TRACE", POWER)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
