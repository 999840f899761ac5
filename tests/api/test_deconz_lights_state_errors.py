"""``PUT /lights/<id>/state``: what is refused and how — error 201 while off, bad values
and parameters (7, 6, 5, 2), unknown light — and that a refusal sends nothing.

The transport is a fake that records commands; the ZCL frames themselves are checked
against the emulator in tests/zigbee.
"""

from __future__ import annotations

import pytest

from gateway.domain.lights.model import (
    Identify,
    LightType,
    SetXY,
    TurnOn,
)
from tests.api.light_steps import commands, lit, off
from tests.zigbee.fakes import DIMMABLE, PLUG, lights_rig

# -- the light is off: error 201 --------------------------------------------------------------


async def test_off_light_rejects_bri_with_error_201_and_sends_nothing(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 10})
        assert r.status_code == 400
        assert r.json() == [
            {
                "error": {
                    "type": 201,
                    "address": "/lights/1/state/bri",
                    "description": "parameter, bri, is not modifiable. Device is set to off.",
                }
            }
        ]
        assert commands(rig) == []


async def test_off_light_accepts_colour_with_on_true_in_the_same_request(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"xy": [0.2, 0.2], "on": True})
        assert [list(i) for i in r.json()] == [["success"], ["success"]]
        assert commands(rig) == [TurnOn(), SetXY(0.2, 0.2, None)]


async def test_off_light_answers_201_for_bri_and_still_carries_out_alert(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 10, "alert": "select"})
        assert r.status_code == 200
        assert [i.get("error", {}).get("type") for i in r.json()] == [201, None]
        assert commands(rig) == [Identify(2)]


# -- validation: nothing is sent ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"bri": 256},
        {"bri": -1},
        {"bri": "10"},
        {"hue": 65536},
        {"sat": 1.5},
        {"ct": 152},
        {"ct": 501},
        {"xy": [0.5]},
        {"xy": [0.5, 1.2]},
        {"xy": [True, 0.2]},
        {"on": 1},
        {"alert": "blink"},
        {"effect": "rainbow"},
        {"transitiontime": 65536},
        {"on": True, "colorloopspeed": 0, "effect": "colorloop"},
    ],
    ids=lambda b: ",".join(f"{k}={v}" for k, v in b.items()),
)
async def test_out_of_range_values_are_error_7_and_send_nothing(sqlite_url, body):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json=body)
        assert r.status_code == 400
        assert 7 in [i["error"]["type"] for i in r.json()]
        assert commands(rig) == []


async def test_error_7_names_the_value_and_the_parameter(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 300})
        assert r.json() == [
            {
                "error": {
                    "type": 7,
                    "address": "/lights/1/state/bri",
                    "description": "invalid value, 300, for parameter, bri",
                }
            }
        ]


async def test_unknown_parameter_is_error_6_and_nothing_is_sent(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"on": False, "sparkle": 1})
        assert r.status_code == 400
        assert r.json() == [
            {
                "error": {
                    "type": 6,
                    "address": "/lights/1/state/sparkle",
                    "description": "parameter, sparkle, not available",
                }
            }
        ]
        assert commands(rig) == []


async def test_plug_rejects_bri_with_error_6(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig, caps=PLUG, kind=LightType.ON_OFF_PLUG)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 10})
        assert r.json()[0]["error"]["type"] == 6


async def test_dimmable_light_rejects_hue_with_error_6(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig, caps=DIMMABLE, kind=LightType.DIMMABLE)
        r = await rig.client.put(rig.url("/1/state"), json={"hue": 10})
        assert r.json()[0]["error"]["type"] == 6


async def test_colorloopspeed_without_effect_colorloop_is_error_5(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"on": True, "colorloopspeed": 3})
        assert r.json() == [
            {
                "error": {
                    "type": 5,
                    "address": "/lights/1/state",
                    "description": "missing parameter, effect, for parameter, colorloopspeed",
                }
            }
        ]
        assert commands(rig) == []


async def test_transitiontime_alone_is_error_5(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"transitiontime": 3})
        assert r.json()[0]["error"]["type"] == 5


async def test_an_empty_body_is_error_2(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={})
        assert r.json()[0]["error"]["type"] == 2


async def test_state_of_an_unknown_light_is_404(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        r = await rig.client.put(rig.url("/3/state"), json={"on": True})
        assert r.status_code == 404


async def test_hue_clients_get_errors_with_http_200(sqlite_url):
    async with lights_rig(sqlite_url, hue_client=True) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 999})
        assert r.status_code == 200
        assert r.json()[0]["error"]["type"] == 7
