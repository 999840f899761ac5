"""Hue habits: trailing slashes, relative changes, which clients get errors with HTTP 200,
and a commanded value standing against the lamp's stale reports (unit level)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.api.deconz.increments import resolve
from gateway.domain.apikeys import is_hue_devicetype
from gateway.domain.lights.pending import PendingTargets
from tests.groups.fakes import groups_rig
from tests.helpers.fakes import FakeClock


@pytest.mark.parametrize(
    "devicetype,hue",
    [
        ("python_hue", True),  # phue
        ("home-assistant#raspberrypi", True),  # Home Assistant's Hue integration (aiohue)
        ("aiohue#example", True),
        ("hue_app#phone", True),
        ("Hue Essentials#Pixel", True),
        ("pydeconz", False),  # pydeconz and Home Assistant's deCONZ integration
        ("Phoscon#B1920x1080", False),
        ("test#client", False),
    ],
)
def test_which_clients_get_errors_with_http_200(devicetype, hue):
    assert is_hue_devicetype(devicetype) is hue


async def test_a_trailing_slash_reaches_the_same_handler(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        for path in ("", "/lights", "/groups", "/groups/0", "/config", "/lights/1"):
            plain = await rig.client.get(rig.url(path))
            slashed = await rig.client.get(rig.url(path) + "/")
            if slashed.json() != plain.json():
                # the config's clock (UTC, localtime) may have ticked a second in between
                plain = await rig.client.get(rig.url(path))
            assert slashed.status_code == plain.status_code == 200, path
            assert slashed.json() == plain.json(), path
        r = await rig.client.post(rig.url("/groups/"), json={"name": "slash"})
        assert r.json() == [{"success": {"id": "1"}}]


async def test_openapi_shows_each_path_once_without_trailing_slashes(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        paths = list((await rig.client.get("/openapi.json")).json()["paths"])
        assert len(paths) == len(set(paths))
        assert not [p for p in paths if p.endswith("/")]
        assert "/api/{apikey}/groups/{id}/scenes/{sid}/recall" in paths


async def test_light_bri_inc_is_clamped_and_answered_under_its_name(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        r = await rig.client.put(rig.url("/lights/1/state"), json={"bri_inc": -250})
        assert r.json() == [{"success": {"/lights/1/state/bri_inc": 1}}]
        r = await rig.client.put(rig.url("/lights/1/state"), json={"hue_inc": -10})
        assert r.json() == [{"success": {"/lights/1/state/hue_inc": 65526}}]
        r = await rig.client.put(rig.url("/lights/1/state"), json={"ct_inc": 1000})
        assert r.json() == [{"success": {"/lights/1/state/ct_inc": 500}}]
        r = await rig.client.put(rig.url("/lights/1/state"), json={"xy_inc": [0.5, -0.5]})
        assert r.json()[0]["success"]["/lights/1/state/xy_inc"] == [0.8127, 0.0]
        r = await rig.client.put(rig.url("/lights/1/state"), json={"sat_inc": 2.5})
        assert r.json()[0]["error"]["type"] == 7


@given(
    current=st.integers(0, 255),
    increment=st.integers(-254, 254),
)
def test_bri_inc_always_lands_in_1_to_254(current, increment):
    body, renamed, problems = resolve({"bri_inc": increment}, {"bri": current}, "/x")
    assert problems == [] and renamed == {"bri": "bri_inc"}
    assert 1 <= body["bri"] <= 254


@given(current=st.integers(0, 65535), increment=st.integers(-65534, 65534))
def test_hue_inc_wraps_around(current, increment):
    body, _, _ = resolve({"hue_inc": increment}, {"hue": current}, "/x")
    assert body["hue"] == (current + increment) % 65536


def test_an_absolute_value_wins_over_its_increment():
    body, renamed, _ = resolve({"bri": 10, "bri_inc": 50}, {"bri": 100}, "/x")
    assert body == {"bri": 10} and renamed == {}


def test_a_stale_report_is_dropped_until_the_fade_is_over():
    clock = FakeClock()
    pending = PendingTargets(clock, grace=1.0)
    pending.commanded(1, {"bri": 200}, transition=10)
    assert pending.filter_report(1, {"bri": 74, "on": True}) == {"on": True}
    clock.advance(1.9)
    assert pending.filter_report(1, {"bri": 89}) == {}
    clock.advance(0.2)  # past transition + grace: the lamp's word is newer than the command
    assert pending.filter_report(1, {"bri": 89}) == {"bri": 89}


def test_a_confirming_report_ends_the_wait_for_that_attribute_only():
    pending = PendingTargets(FakeClock(), grace=1.0)
    pending.commanded(1, {"bri": 200, "xy": [0.4, 0.4]}, transition=10)
    assert pending.filter_report(1, {"bri": 199}) == {}  # within tolerance: confirmed
    assert pending.filter_report(1, {"bri": 150}) == {"bri": 150}  # nothing pending any more
    assert pending.filter_report(1, {"xy": [0.3, 0.3]}) == {}


def test_a_newer_command_replaces_the_older_target():
    clock = FakeClock()
    pending = PendingTargets(clock, grace=1.0)
    pending.commanded(1, {"bri": 77}, transition=10)
    clock.advance(0.5)
    pending.commanded(1, {"bri": 200}, transition=10)
    assert pending.filter_report(1, {"bri": 77}) == {}  # the first command's end: stale
    assert pending.filter_report(2, {"bri": 77}) == {"bri": 77}  # other lights untouched


async def test_a_contradicting_report_held_back_is_applied_when_the_wait_is_over():
    released: list[tuple[int, dict]] = []
    pending = PendingTargets(grace=0.05, release=lambda i, c: released.append((i, c)))
    pending.commanded(1, {"on": True}, transition=0)
    assert pending.filter_report(1, {"on": False}) == {}  # switched at the wall at once
    await asyncio.sleep(0.2)
    assert released == [(1, {"on": False})]


async def test_a_confirmation_cancels_what_was_held_back():
    released: list[tuple[int, dict]] = []
    pending = PendingTargets(grace=0.05, release=lambda i, c: released.append((i, c)))
    pending.commanded(1, {"bri": 200}, transition=0)
    assert pending.filter_report(1, {"bri": 74}) == {}
    assert pending.filter_report(1, {"bri": 200}) == {}
    await asyncio.sleep(0.2)
    assert released == []
