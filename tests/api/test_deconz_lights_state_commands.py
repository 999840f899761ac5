"""``PUT /lights/<id>/state``: which commands are sent, in which order, and the colormode
and state they leave (including after a restart).

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
from tests.api.light_steps import commands, lit, off
from tests.zigbee.fakes import CT_ONLY, lights_rig


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


async def test_the_new_state_survives_a_restart(database_url):
    async with lights_rig(database_url) as rig:
        await lit(rig)
        await rig.client.put(rig.url("/1/state"), json={"bri": 33, "ct": 222})
    async with lights_rig(database_url) as rig:
        state = (await rig.client.get(rig.url("/1"))).json()["state"]
        assert (state["bri"], state["ct"], state["colormode"]) == (33, 222, "ct")
