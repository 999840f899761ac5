"""Per-client rate limit: 429 beyond the burst, nothing sent, other clients unaffected."""

from __future__ import annotations

import httpx

from tests.thinknx.conftest import PASSWORD, USER

POWER_ON = "/api/V1/power?guid=living_room_light&cmd=1"


async def test_requests_beyond_the_burst_get_429_and_send_nothing(make_rig):
    rig = await make_rig(rate_limit=0.5, rate_burst=2)
    mark = rig.mark()
    answers = [await rig.client.get(POWER_ON) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2].json() == {"error": "rate limit exceeded"}
    assert int(answers[2].headers["retry-after"]) >= 1
    assert len(rig.sent_since(mark)) == 2


async def test_the_limit_is_per_client_address(make_rig):
    rig = await make_rig(rate_limit=0.5, rate_burst=1)
    assert (await rig.client.get(POWER_ON)).status_code == 200
    assert (await rig.client.get(POWER_ON)).status_code == 429
    other = rig.new_client(
        auth=httpx.BasicAuth(USER, PASSWORD),
        transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2"),
    )
    assert (await other.get(POWER_ON)).status_code == 200


async def test_tokens_come_back_at_the_configured_rate(make_rig):
    import asyncio

    rig = await make_rig(rate_limit=1, rate_burst=1)
    assert (await rig.client.get(POWER_ON)).status_code == 200
    assert (await rig.client.get(POWER_ON)).status_code == 429
    await asyncio.sleep(1.05)
    assert (await rig.client.get(POWER_ON)).status_code == 200


async def test_unauthenticated_requests_are_limited_too(make_rig):
    rig = await make_rig(rate_limit=0.5, rate_burst=1)
    anonymous = rig.new_client()
    assert (await anonymous.get(POWER_ON)).status_code == 401
    assert (await anonymous.get(POWER_ON)).status_code == 429


async def test_rate_limit_0_turns_limiting_off(make_rig):
    rig = await make_rig(rate_limit=0, rate_burst=1)
    statuses = {(await rig.client.get("/api/V1/system/serverStatus")).status_code for _ in range(5)}
    assert statuses == {200}
