"""``PUT /lights/<id>/state`` when the light or the radio fails: 202 unreachable, a refused
command midway (partial success), radio lost (950) or busy (951).

The transport is a fake that records commands; the ZCL frames themselves are checked
against the emulator in tests/zigbee.
"""

from __future__ import annotations

from gateway.domain.lights.model import (
    SetLevel,
    SetXY,
)
from tests.api.light_steps import commands, lit, off
from tests.zigbee.fakes import discovered, lights_rig


async def test_unreachable_light_answers_202_and_nothing_is_sent(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        rig.service.unreachable("00:17:88:01:0e:00:00:01")
        r = await rig.client.put(rig.url("/1/state"), json={"on": False})
        assert r.status_code == 200
        assert r.json() == [
            {
                "error": {
                    "type": 202,
                    "address": "/lights/1/state",
                    "description": "resource, /lights/1/state, is not modifiable. "
                    "Device is not reachable.",
                }
            }
        ]
        assert commands(rig) == []


async def test_a_light_that_does_not_acknowledge_becomes_unreachable(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        rig.transport.unreachable.add(discovered(1).address)
        r = await rig.client.put(rig.url("/1/state"), json={"on": False})
        assert r.json()[0]["error"]["type"] == 202
        assert (await rig.client.get(rig.url("/1"))).json()["state"]["reachable"] is False


async def test_a_command_the_radio_refuses_keeps_what_was_done_before_and_skips_the_rest(
    sqlite_url,
):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        rig.transport.refuse[SetXY] = "radio refused: BUFFER_FULL"
        r = await rig.client.put(
            rig.url("/1/state"), json={"bri": 10, "xy": [0.1, 0.1], "on": False}
        )
        assert r.status_code == 200
        assert r.json() == [
            {"success": {"/lights/1/state/bri": 10}},
            {
                "error": {
                    "type": 901,
                    "address": "/lights/1/state/xy",
                    "description": "Internal error, radio refused: BUFFER_FULL",
                }
            },
            {
                "error": {
                    "type": 901,
                    "address": "/lights/1/state/on",
                    "description": "Internal error, radio refused: BUFFER_FULL",
                }
            },
        ]
        assert commands(rig) == [SetLevel(10, None)]
        state = (await rig.client.get(rig.url("/1"))).json()["state"]
        assert (state["bri"], state["on"]) == (10, True)


async def test_radio_lost_mid_request_answers_950_for_what_was_not_sent(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        rig.transport.fail_after = 1
        r = await rig.client.put(rig.url("/1/state"), json={"on": True, "xy": [0.1, 0.1]})
        assert r.status_code == 200
        assert [i.get("error", {}).get("type") for i in r.json()] == [None, 950]


async def test_radio_down_is_503_error_950_and_nothing_is_sent(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        rig.transport.up = False
        r = await rig.client.put(rig.url("/1/state"), json={"on": False})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950
        assert commands(rig) == []


async def test_radio_busy_is_503_error_951(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        rig.transport.busy_with = "channel change"
        r = await rig.client.put(rig.url("/1/state"), json={"on": False})
        assert r.status_code == 503
        assert r.json() == [
            {
                "error": {
                    "type": 951,
                    "address": "/lights/1/state",
                    "description": "Bridge busy: channel change in progress",
                }
            }
        ]
