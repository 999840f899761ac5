"""The groups endpoints over a fake radio: shapes, validation and errors, membership
bookkeeping, group action rules (tests/groups/test_groups_e2e.py drives the emulator)."""

from __future__ import annotations

import asyncio
import re

import pytest

from gateway.domain.groups import ALL_GROUP_ADDRESS
from gateway.domain.lights.model import SetLevel, TurnOff, TurnOn, TurnOnAtLevel
from tests.groups.fakes import groups_rig


def error(r) -> dict:
    return r.json()[0]["error"]


async def create(rig, body: dict) -> str:
    r = await rig.client.post(rig.url("/groups"), json=body)
    assert r.status_code == 200, r.text
    return r.json()[0]["success"]["id"]


async def test_a_new_group_has_id_1_every_deconz_field_and_is_in_the_lamps(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "Living", "lights": ["1", "2"]})
        assert gid == "1"
        body = (await rig.client.get(rig.url("/groups/1"))).json()
        assert body["name"] == "Living"
        assert body["lights"] == body["lightsequence"] == ["1", "2"]
        assert body["type"] == "LightGroup" and body["hidden"] is False
        assert body["state"] == {"all_on": True, "any_on": True}
        assert body["scenes"] == [] and body["devicemembership"] == []
        assert re.fullmatch(r"[0-9a-f]{32}", body["etag"])
        assert rig.transport.tables[rig.address(1)] == {1, ALL_GROUP_ADDRESS}
        assert 1 not in rig.transport.tables.get(rig.address(3), set())


async def test_get_groups_lists_made_groups_but_not_group_0(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        assert (await rig.client.get(rig.url("/groups"))).json() == {}
        await create(rig, {"name": "a"})
        assert list((await rig.client.get(rig.url("/groups"))).json()) == ["1"]
        zero = (await rig.client.get(rig.url("/groups/0"))).json()
        assert zero["lights"] == ["1", "2", "3"]


async def test_create_without_name_is_error_5_and_creates_nothing(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        r = await rig.client.post(rig.url("/groups"), json={"lights": ["1"]})
        assert r.status_code == 400 and error(r)["type"] == 5
        assert (await rig.client.get(rig.url("/groups"))).json() == {}


async def test_create_with_an_unknown_light_or_parameter_is_error_7_or_6(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        r = await rig.client.post(rig.url("/groups"), json={"name": "x", "lights": ["9"]})
        assert error(r)["type"] == 7 and error(r)["address"] == "/groups/lights"
        r = await rig.client.post(rig.url("/groups"), json={"name": "x", "colour": 1})
        assert error(r)["type"] == 6
        r = await rig.client.post(rig.url("/groups"), json={"name": "x", "type": "Pile"})
        assert error(r)["type"] == 7
        assert (await rig.client.get(rig.url("/groups"))).json() == {}


async def test_creating_an_existing_name_answers_its_id(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        assert await create(rig, {"name": "same"}) == "1"
        assert await create(rig, {"name": "same"}) == "1"


async def test_a_room_shows_its_class(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "K", "type": "Room", "class": "Kitchen"})
        body = (await rig.client.get(rig.url(f"/groups/{gid}"))).json()
        assert (body["type"], body["class"]) == ("Room", "Kitchen")


async def test_unknown_group_is_404_error_3(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        for path in ("/groups/7", "/groups/01", "/groups/x/scenes"):
            r = await rig.client.get(rig.url(path))
            assert r.status_code == 404 and error(r)["type"] == 3, path


async def test_group_0_cannot_be_changed_or_deleted(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        r = await rig.client.put(rig.url("/groups/0"), json={"name": "x"})
        assert error(r)["type"] == 8
        r = await rig.client.delete(rig.url("/groups/0"))
        assert error(r)["type"] == 8


async def test_put_group_changes_members_in_the_lamps_and_answers_per_attribute(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        r = await rig.client.put(
            rig.url(f"/groups/{gid}"), json={"name": "b", "lights": ["3", "2"]}
        )
        assert r.json() == [
            {"success": {f"/groups/{gid}/name": "b"}},
            {"success": {f"/groups/{gid}/lights": ["3", "2"]}},
        ]
        assert 1 not in rig.transport.tables[rig.address(1)]
        assert 1 in rig.transport.tables[rig.address(3)]
        body = (await rig.client.get(rig.url(f"/groups/{gid}"))).json()
        assert (body["name"], body["lights"]) == ("b", ["3", "2"])


async def test_lightsequence_must_be_a_reordering_of_the_lights(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        r = await rig.client.put(rig.url(f"/groups/{gid}"), json={"lightsequence": ["2", "1"]})
        assert r.status_code == 200
        assert (await rig.client.get(rig.url(f"/groups/{gid}"))).json()["lightsequence"] == [
            "2",
            "1",
        ]
        r = await rig.client.put(rig.url(f"/groups/{gid}"), json={"lightsequence": ["3"]})
        assert error(r)["type"] == 7


async def test_a_lamp_that_does_not_answer_is_fixed_when_it_answers_again(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        rig.transport.unreachable.add(rig.address(2))
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        assert 1 not in rig.transport.tables.get(rig.address(2), set())
        assert rig.service.get(gid).pending_add == {"2"}
        rig.transport.unreachable.clear()
        await rig.service.membership.sync("2")
        assert 1 in rig.transport.tables[rig.address(2)]
        assert rig.service.get(gid).pending_add == set()


async def test_delete_group_removes_it_from_the_lamps(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1"]})
        r = await rig.client.delete(rig.url(f"/groups/{gid}"))
        assert r.json() == [{"success": {"id": gid}}]
        assert (await rig.client.get(rig.url(f"/groups/{gid}"))).status_code == 404
        assert 1 not in rig.transport.tables[rig.address(1)]


async def test_group_action_is_one_groupcast_per_command_and_members_show_it(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        body = {"on": True, "bri": 100, "transitiontime": 0}
        r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json=body)
        assert r.json() == [
            {"success": {f"/groups/{gid}/action/on": True}},
            {"success": {f"/groups/{gid}/action/bri": 100}},
        ]
        assert rig.transport.groupcasts == [(1, TurnOnAtLevel(100, 0))]
        assert rig.lights.transport.sent == []  # no unicast per lamp
        for light in ("1", "2"):
            state = (await rig.client.get(rig.url(f"/lights/{light}"))).json()["state"]
            assert state["bri"] == 100
        group = (await rig.client.get(rig.url(f"/groups/{gid}"))).json()
        assert group["action"]["on"] is True and group["action"]["bri"] == 100


async def test_group_0_action_goes_to_the_all_lights_address(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        r = await rig.client.put(rig.url("/groups/0/action"), json={"on": False})
        assert r.status_code == 200
        assert rig.transport.groupcasts == [(ALL_GROUP_ADDRESS, TurnOff())]
        zero = (await rig.client.get(rig.url("/groups/0"))).json()
        assert zero["state"] == {"all_on": False, "any_on": False}


async def test_group_bri_inc_is_clamped_and_answered_under_its_own_name(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1"]})
        await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"bri": 240})
        r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"bri_inc": 100})
        assert r.json() == [{"success": {f"/groups/{gid}/action/bri_inc": 254}}]
        assert rig.transport.groupcasts[-1] == (1, SetLevel(254, None))


async def test_bad_group_action_is_answered_and_nothing_is_sent(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1"]})
        for body, kind in (({"bri": 300}, 7), ({"speed": 1}, 6), ({}, 2), ({"bri_inc": 999}, 7)):
            r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json=body)
            assert error(r)["type"] == kind, body
        assert rig.transport.groupcasts == []


@pytest.mark.parametrize("hue,status", [(False, 503), (True, 200)])
async def test_group_action_without_radio_is_503_950_and_200_for_hue_clients(
    sqlite_url, hue, status
):
    async with groups_rig(sqlite_url, hue_client=hue) as rig:
        rig.transport.up = False
        r = await rig.client.put(rig.url("/groups/0/action"), json={"on": True})
        assert r.status_code == status and error(r)["type"] == 950
        assert rig.transport.groupcasts == []


async def test_a_lamp_report_changes_group_state_and_sends_a_groups_event(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        subscription = rig.lights.h.services.events.subscribe()
        rig.service.start()
        await asyncio.sleep(0.05)
        rig.lights.service.observed(rig.address(1), {"on": False})
        async with asyncio.timeout(2):
            while True:
                event = await subscription.get()
                if event.get("r") == "groups" and event.get("id") == gid:
                    break
        assert event["e"] == "changed" and event["state"] == {"all_on": False, "any_on": True}


async def test_delete_light_groups_takes_the_light_out_of_every_group(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        r = await rig.client.delete(rig.url("/lights/1/groups"))
        assert r.json() == [{"success": {"id": "1"}}]
        assert (await rig.client.get(rig.url(f"/groups/{gid}"))).json()["lights"] == ["2"]


async def test_groups_survive_a_restart(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        await create(rig, {"name": "kept", "type": "Zone", "lights": ["2"]})
    async with groups_rig(sqlite_url) as rig:
        body = (await rig.client.get(rig.url("/groups/1"))).json()
        assert (body["name"], body["type"], body["lights"]) == ("kept", "Zone", ["2"])
        assert await create(rig, {"name": "next"}) == "2"


async def test_full_state_has_groups_schedules_and_rules(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        await create(rig, {"name": "a"})
        body = (await rig.client.get(rig.url(""))).json()
        assert list(body["groups"]) == ["1"]
        assert body["schedules"] == {} and body["rules"] == {}
        assert (await rig.client.get(rig.url("/schedules"))).json() == {}
        assert (await rig.client.get(rig.url("/rules"))).json() == {}


async def test_turn_on_alone_is_a_plain_on(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        await rig.client.put(rig.url("/groups/0/action"), json={"on": True})
        assert rig.transport.groupcasts == [(ALL_GROUP_ADDRESS, TurnOn())]
