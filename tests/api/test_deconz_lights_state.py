"""``PUT /lights/<id>/state``: validation, the 201/202 rules, command order, partial failure.

The transport is a fake that records commands; the ZCL frames themselves are checked
against the emulator in tests/zigbee.
"""

from __future__ import annotations

import pytest

from gateway.domain.lights.model import (
    Identify,
    LightType,
    SetColorLoop,
    SetColorTemp,
    SetHueSat,
    SetLevel,
    SetXY,
    TurnOff,
    TurnOn,
    TurnOnAtLevel,
)
from tests.zigbee.fakes import CT_ONLY, DIMMABLE, PLUG, discovered, lights_rig


def commands(rig):
    return [c for _, c in rig.transport.sent]


async def lit(rig, index=1, **kwargs):
    await rig.service.discovered(discovered(index, **kwargs), may_add=True)


async def off(rig, index=1, **kwargs):
    await rig.service.discovered(discovered(index, on=False, **kwargs), may_add=True)


async def test_success_items_follow_the_request_order(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(
            rig.url("/1/state"), json={"sat": 255, "on": True, "bri": 180, "hue": 43680}
        )
        assert r.status_code == 200
        assert r.json() == [
            {"success": {"/lights/1/state/sat": 254}},
            {"success": {"/lights/1/state/on": True}},
            {"success": {"/lights/1/state/bri": 180}},
            {"success": {"/lights/1/state/hue": 43680}},
        ]


async def test_on_true_with_bri_is_one_move_to_level_with_on_off(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        await rig.client.put(rig.url("/1/state"), json={"on": True, "bri": 100})
        assert commands(rig) == [TurnOnAtLevel(100, None)]


async def test_on_true_alone_is_the_on_command(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        await rig.client.put(rig.url("/1/state"), json={"on": True})
        assert commands(rig) == [TurnOn()]
        assert (await rig.client.get(rig.url("/1"))).json()["state"]["on"] is True


async def test_on_false_is_the_off_command_sent_last(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        await rig.client.put(rig.url("/1/state"), json={"on": False, "alert": "select"})
        assert commands(rig) == [Identify(2), TurnOff()]


async def test_bri_on_a_lit_light_is_move_to_level_with_the_transition_time(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 42, "transitiontime": 30})
        assert r.json() == [{"success": {"/lights/1/state/bri": 42}}]
        assert commands(rig) == [SetLevel(42, 30)]


async def test_bri_255_is_sent_and_shown_as_254(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 255})
        assert r.json() == [{"success": {"/lights/1/state/bri": 254}}]
        assert commands(rig) == [SetLevel(254, None)]


async def test_hue_and_sat_are_one_command_and_colormode_becomes_hs(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        await rig.client.put(rig.url("/1/state"), json={"hue": 1000, "sat": 100})
        assert commands(rig) == [SetHueSat(1000, 100, None)]
        state = (await rig.client.get(rig.url("/1"))).json()["state"]
        assert (state["hue"], state["sat"], state["colormode"]) == (1000, 100, "hs")


async def test_ct_is_clamped_to_the_lights_range(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig, caps=CT_ONLY, kind=LightType.COLOR_TEMPERATURE)
        r = await rig.client.put(rig.url("/1/state"), json={"ct": 500})
        assert r.json() == [{"success": {"/lights/1/state/ct": 454}}]
        assert commands(rig) == [SetColorTemp(454, None)]


async def test_xy_is_sent_as_given_and_colormode_becomes_xy(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"xy": [0.4, 0.5]})
        assert r.json() == [{"success": {"/lights/1/state/xy": [0.4, 0.5]}}]
        assert commands(rig) == [SetXY(0.4, 0.5, None)]
        assert (await rig.client.get(rig.url("/1"))).json()["state"]["colormode"] == "xy"


async def test_all_colour_parameters_are_sent_and_colormode_follows_xy_over_ct_over_hs(
    sqlite_url,
):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        await rig.client.put(rig.url("/1/state"), json={"xy": [0.3, 0.3], "hue": 5, "ct": 300})
        assert commands(rig) == [
            SetHueSat(5, None, None),
            SetColorTemp(300, None),
            SetXY(0.3, 0.3, None),
        ]
        state = (await rig.client.get(rig.url("/1"))).json()["state"]
        assert (state["hue"], state["ct"], state["xy"], state["colormode"]) == (
            5,
            300,
            [0.3, 0.3],
            "xy",
        )


async def test_ct_wins_over_hs_for_colormode(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        await rig.client.put(rig.url("/1/state"), json={"ct": 250, "sat": 10})
        assert (await rig.client.get(rig.url("/1"))).json()["state"]["colormode"] == "ct"


@pytest.mark.parametrize(
    "alert,seconds",
    [("select", 2), ("lselect", 15), ("none", 0)],
    ids=["select", "lselect", "none"],
)
async def test_alert_identifies_for_the_hue_durations(sqlite_url, alert, seconds):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"alert": alert})
        assert r.json() == [{"success": {"/lights/1/state/alert": alert}}]
        assert commands(rig) == [Identify(seconds)]


async def test_alert_is_accepted_while_the_light_is_off(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await off(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"alert": "select"})
        assert r.status_code == 200
        assert commands(rig) == [Identify(2)]


async def test_effect_colorloop_uses_the_colorloopspeed(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig)
        r = await rig.client.put(
            rig.url("/1/state"), json={"effect": "colorloop", "colorloopspeed": 5}
        )
        assert r.json() == [{"success": {"/lights/1/state/effect": "colorloop"}}]
        assert commands(rig) == [SetColorLoop(True, 5)]
        assert (await rig.client.get(rig.url("/1"))).json()["state"]["effect"] == "colorloop"


async def test_effect_none_stops_the_colorloop(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await lit(rig, effect="colorloop")
        await rig.client.put(rig.url("/1/state"), json={"effect": "none"})
        assert commands(rig) == [SetColorLoop(False, 15)]


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


# -- reachability and the radio ------------------------------------------------------------------


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


async def test_hue_clients_get_errors_with_http_200(sqlite_url):
    async with lights_rig(sqlite_url, hue_client=True) as rig:
        await lit(rig)
        r = await rig.client.put(rig.url("/1/state"), json={"bri": 999})
        assert r.status_code == 200
        assert r.json()[0]["error"]["type"] == 7


async def test_the_new_state_survives_a_restart(database_url):
    async with lights_rig(database_url) as rig:
        await lit(rig)
        await rig.client.put(rig.url("/1/state"), json={"bri": 33, "ct": 222})
    async with lights_rig(database_url) as rig:
        state = (await rig.client.get(rig.url("/1"))).json()["state"]
        assert (state["bri"], state["ct"], state["colormode"]) == (33, 222, "ct")
