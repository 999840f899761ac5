"""The scenes endpoints over a fake radio: what goes to the lamps, what the API shows,
errors, and scenes after a restart (tests/groups/test_groups_e2e.py: the emulator)."""

from __future__ import annotations

import asyncio

from tests.groups.fakes import groups_rig


def error(r) -> dict:
    return r.json()[0]["error"]


async def group_with_scene(rig, name: str = "evening") -> tuple[str, str]:
    r = await rig.client.post(rig.url("/groups"), json={"name": "g", "lights": ["1", "2"]})
    gid = r.json()[0]["success"]["id"]
    r = await rig.client.post(rig.url(f"/groups/{gid}/scenes"), json={"name": name})
    assert r.status_code == 200, r.text
    return gid, r.json()[0]["success"]["id"]


async def test_create_stores_the_scene_in_each_reachable_member(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        rig.transport.unreachable.add(rig.address(2))
        r = await rig.client.post(rig.url("/groups"), json={"name": "g", "lights": ["1", "2"]})
        gid = r.json()[0]["success"]["id"]
        r = await rig.client.post(rig.url(f"/groups/{gid}/scenes"), json={"name": "warm"})
        assert r.json() == [{"success": {"id": "1"}}]
        stores = [c for c in rig.transport.scene_calls if c[0] == "store"]
        assert stores == [("store", rig.address(1), 1, 1)]
        scene = (await rig.client.get(rig.url(f"/groups/{gid}/scenes/1"))).json()
        assert scene["name"] == "warm"
        assert [light["id"] for light in scene["lights"]] == ["1"]
        assert scene["lights"][0]["bri"] == 200 and scene["lights"][0]["on"] is True


async def test_scenes_are_listed_in_the_group_and_the_scenes_collection(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        listed = (await rig.client.get(rig.url(f"/groups/{gid}/scenes"))).json()
        assert listed == {sid: {"lights": ["1", "2"], "name": "evening", "transitiontime": 0}}
        group = (await rig.client.get(rig.url(f"/groups/{gid}"))).json()
        assert group["scenes"] == [
            {"id": sid, "lightcount": 2, "name": "evening", "transitiontime": 0}
        ]


async def test_recall_is_one_groupcast_and_a_scene_called_event(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        subscription = rig.lights.h.services.events.subscribe()
        r = await rig.client.put(
            rig.url(f"/groups/{gid}/scenes/{sid}/recall"), json={"transitiontime": 5}
        )
        assert r.json() == [{"success": {"id": sid}}]
        assert rig.transport.scene_calls[-1] == ("recall", 1, 1, 5)
        async with asyncio.timeout(2):
            while (event := await subscription.get()).get("e") != "scene-called":
                pass
        assert event == {"t": "event", "e": "scene-called", "r": "scenes", "gid": gid, "scid": sid}


async def test_a_lights_state_in_a_scene_is_added_to_that_lamp(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        body = {"on": True, "bri": 33, "xy": [0.5, 0.4], "transitiontime": 20}
        r = await rig.client.put(rig.url(f"/groups/{gid}/scenes/{sid}/lights/2/state"), json=body)
        assert r.status_code == 200, r.text
        base = f"/groups/{gid}/scenes/{sid}/lights/2/state"
        assert r.json()[1] == {"success": {f"{base}/bri": 33}}
        call = rig.transport.scene_calls[-1]
        assert call[:5] == ("add", rig.address(2), 1, 1, 20)
        assert call[5]["bri"] == 33 and call[5]["xy"] == [0.5, 0.4]
        scene = (await rig.client.get(rig.url(f"/groups/{gid}/scenes/{sid}"))).json()
        light = next(item for item in scene["lights"] if item["id"] == "2")
        assert (light["bri"], light["x"], light["y"], light["transitiontime"]) == (33, 0.5, 0.4, 20)


async def test_scene_light_state_errors(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        base = f"/groups/{gid}/scenes/{sid}/lights"
        r = await rig.client.put(rig.url(f"{base}/3/state"), json={"on": True})
        assert r.status_code == 404 and error(r)["type"] == 3  # not a member
        r = await rig.client.put(rig.url(f"{base}/1/state"), json={"bri": 300})
        assert error(r)["type"] == 7
        r = await rig.client.put(rig.url(f"{base}/1/state"), json={"alert": "select"})
        assert error(r)["type"] == 6


async def test_rename_store_and_delete(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        r = await rig.client.put(rig.url(f"/groups/{gid}/scenes/{sid}"), json={"name": "late"})
        assert r.json() == [{"success": {f"/groups/{gid}/scenes/{sid}/name": "late"}}]
        r = await rig.client.put(rig.url(f"/groups/{gid}/scenes/{sid}/store"))
        assert r.json() == [{"success": {"id": sid}}]
        r = await rig.client.delete(rig.url(f"/groups/{gid}/scenes/{sid}"))
        assert r.json() == [{"success": {"id": sid}}]
        removes = [c for c in rig.transport.scene_calls if c[0] == "remove"]
        assert len(removes) == 2
        r = await rig.client.get(rig.url(f"/groups/{gid}/scenes/{sid}"))
        assert r.status_code == 404 and error(r)["type"] == 3


async def test_a_scene_with_an_existing_name_is_stored_again_not_duplicated(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig, "same")
        r = await rig.client.post(rig.url(f"/groups/{gid}/scenes"), json={"name": "same"})
        assert r.json() == [{"success": {"id": sid}}]
        assert len((await rig.client.get(rig.url(f"/groups/{gid}/scenes"))).json()) == 1


async def test_scenes_survive_a_restart(database_url):
    async with groups_rig(database_url) as rig:
        gid, sid = await group_with_scene(rig, "kept")
    async with groups_rig(database_url) as rig:
        scene = (await rig.client.get(rig.url(f"/groups/{gid}/scenes/{sid}"))).json()
        assert scene["name"] == "kept" and len(scene["lights"]) == 2


async def test_group_action_scene_recalls_it_and_an_unknown_scene_is_error_7(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"scene": sid})
        assert r.json() == [{"success": {f"/groups/{gid}/action/scene": sid}}]
        assert rig.transport.scene_calls[-1] == ("recall", 1, 1, None)
        r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"scene": "9"})
        assert error(r)["type"] == 7


async def test_delete_light_scenes_takes_the_light_out_of_every_scene(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        r = await rig.client.delete(rig.url("/lights/1/scenes"))
        assert r.json() == [{"success": {"id": "1"}}]
        listed = (await rig.client.get(rig.url(f"/groups/{gid}/scenes"))).json()
        assert listed[sid]["lights"] == ["2"]


async def test_group_0_has_no_scenes_to_create(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        r = await rig.client.post(rig.url("/groups/0/scenes"), json={"name": "x"})
        assert error(r)["type"] == 8


async def test_a_scene_light_state_for_a_lamp_that_does_not_answer_is_error_202(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid, sid = await group_with_scene(rig)
        base = f"/groups/{gid}/scenes/{sid}/lights/2/state"
        before = (await rig.client.get(rig.url(f"/groups/{gid}/scenes/{sid}"))).json()
        rig.transport.unreachable.add(rig.address(2))
        r = await rig.client.put(rig.url(base), json={"bri": 5})
        assert r.status_code == 200, r.text  # deCONZ answers per-item errors with 200
        assert error(r) == {
            "type": 202, "address": base,
            "description": f"resource, {base}, is not modifiable. Device is not reachable.",
        }  # fmt: skip
        assert (await rig.client.get(rig.url(f"/groups/{gid}/scenes/{sid}"))).json() == before
