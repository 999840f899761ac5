"""Hue v1 ``/api/<key>/scenes`` over a fake radio: the same scenes as
``/groups/<id>/scenes``, Hue's shapes and ids, what goes to the lamps, errors that change
nothing (tests/clients/test_hue_scenes_clients.py: phue and aiohue on the emulator).

The light states each lamp keeps for a scene (``lightstates``, ``/lightstates/<id>``) are
in ``test_hue_scenes_lamp_states.py``."""

from __future__ import annotations

import asyncio

from tests.api.hue_scene_steps import error, new_group, post_scene, stores
from tests.groups.fakes import groups_rig


async def test_group_scenes_are_listed_as_hue_scene_objects(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        r = await rig.client.post(rig.url(f"/groups/{gid}/scenes"), json={"name": "evening"})
        sid = r.json()[0]["success"]["id"]
        listed = (await rig.client.get(rig.url("/scenes"))).json()
        hue_id = f"{gid}-{sid}"
        assert list(listed) == [hue_id]
        scene = listed[hue_id]
        assert isinstance(scene.pop("lastupdated"), str)
        assert scene == {
            "appdata": {}, "group": gid, "lights": ["1", "2"], "locked": False,
            "name": "evening", "owner": "", "picture": "", "recycle": False,
            "type": "GroupScene", "version": 2,
        }  # fmt: skip
        one = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert one["lightstates"]["1"]["on"] is True and one["lightstates"]["1"]["bri"] == 200
        assert set(one["lightstates"]) == {"1", "2"}


async def test_post_group_scene_stores_in_each_member_and_answers_its_hue_id(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        body = {
            "name": "read", "type": "GroupScene", "group": gid, "recycle": True,
            "appdata": {"version": 1, "data": "abc_r01"}, "picture": "",
        }  # fmt: skip
        hue_id = await post_scene(rig, body)
        assert hue_id == f"{gid}-1"
        assert stores(rig) == [("store", rig.address(i), int(gid), 1) for i in (1, 2)]
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["recycle"] is True and scene["appdata"] == {"version": 1, "data": "abc_r01"}
        config = (await rig.client.get(rig.url("/config"))).json()
        assert scene["owner"] in config["whitelist"]  # the creating key's public id
        deconz = (await rig.client.get(rig.url(f"/groups/{gid}/scenes"))).json()
        assert deconz == {"1": {"lights": ["1", "2"], "name": "read", "transitiontime": 0}}


async def test_post_with_a_name_in_use_makes_a_new_scene_as_a_hue_bridge(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        first = await post_scene(rig, {"name": "same", "group": gid})
        second = await post_scene(rig, {"name": "same", "group": gid})
        assert (first, second) == (f"{gid}-1", f"{gid}-2")


async def test_group_scene_with_lights_holds_only_those_members(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2", "3"])
        hue_id = await post_scene(rig, {"name": "two", "group": gid, "lights": ["3", "1"]})
        assert [c[1] for c in stores(rig)] == [rig.address(1), rig.address(3)]
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["lights"] == ["1", "3"]


async def test_light_scene_lives_in_the_smallest_group_holding_its_lights(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        big = await new_group(rig, "big", ["1", "2", "3"])
        small = await new_group(rig, "small", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "pair", "lights": ["2", "1"]})
        assert hue_id == f"{small}-1"
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["type"] == "LightScene" and "group" not in scene
        assert scene["lights"] == ["1", "2"]
        third = await post_scene(rig, {"name": "one", "type": "LightScene", "lights": ["3"]})
        assert third == f"{big}-1"
        assert stores(rig)[-1] == ("store", rig.address(3), int(big), 1)


async def test_light_scene_that_no_group_holds_is_error_7_and_creates_nothing(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        await new_group(rig, "g", ["1"])
        r = await rig.client.post(rig.url("/scenes"), json={"name": "x", "lights": ["1", "2"]})
        assert r.status_code == 400 and error(r)["type"] == 7
        assert error(r)["address"] == "/scenes/lights"
        assert (await rig.client.get(rig.url("/scenes"))).json() == {}
        assert stores(rig) == []


async def test_post_errors_change_nothing(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        cases = [
            ({"group": gid}, 5),
            ({"name": "x"}, 5),
            ({"name": "x", "type": "GroupScene"}, 5),
            ({"name": "x", "group": gid, "colour": 1}, 6),
            ({"name": "x", "group": "999"}, 7),
            ({"name": "x", "group": "0"}, 7),
            ({"name": "x", "group": 1}, 7),
            ({"name": "x", "group": gid, "lights": ["2"]}, 7),
            ({"name": "x", "group": gid, "lights": []}, 7),
            ({"name": "x", "lights": ["77"]}, 7),
            ({"name": "x", "group": gid, "type": "Scene"}, 7),
            ({"name": "x", "group": gid, "type": "LightScene"}, 5),
            ({"name": "x", "group": gid, "type": "LightScene", "lights": ["1"]}, 7),
            ({"name": "", "group": gid}, 7),
            ({"name": "x" * 33, "group": gid}, 7),
            ({"name": "x", "group": gid, "recycle": "yes"}, 7),
            ({"name": "x", "group": gid, "appdata": {"data": "x" * 17}}, 7),
            ({"name": "x", "group": gid, "appdata": {"other": 1}}, 7),
        ]
        for body, kind in cases:
            r = await rig.client.post(rig.url("/scenes"), json=body)
            assert r.status_code in (400, 404), (body, r.text)
            assert error(r)["type"] == kind, (body, r.text)
        r = await rig.client.post(rig.url("/scenes"), content=b"{nope")
        assert error(r)["type"] == 2
        assert (await rig.client.get(rig.url("/scenes"))).json() == {}
        assert stores(rig) == []


async def test_put_scene_renames_sets_lights_and_stores_current_states(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        base = f"/scenes/{hue_id}"
        r = await rig.client.put(rig.url(base), json={"name": "b", "lights": ["1"]})
        assert r.json() == [
            {"success": {f"{base}/name": "b"}},
            {"success": {f"{base}/lights": ["1"]}},
        ]
        assert rig.transport.scene_calls[-1] == ("remove", rig.address(2), int(gid), 1)
        scene = (await rig.client.get(rig.url(base))).json()
        assert (scene["name"], scene["lights"]) == ("b", ["1"])
        r = await rig.client.put(rig.url(base), json={"lights": ["1", "2"]})
        assert stores(rig)[-1] == ("store", rig.address(2), int(gid), 1)
        before = len(stores(rig))
        r = await rig.client.put(rig.url(base), json={"storelightstate": True})
        assert r.json() == [{"success": {f"{base}/storelightstate": True}}]
        assert len(stores(rig)) == before + 2
        listed = (await rig.client.get(rig.url(f"/groups/{gid}/scenes"))).json()
        assert listed["1"]["name"] == "b" and listed["1"]["lights"] == ["1", "2"]


async def test_put_scene_errors_change_nothing(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        for body, kind in [
            ({}, 5),
            ({"name": "b", "type": "LightScene"}, 6),
            ({"name": "b", "lights": ["3"]}, 7),
            ({"name": "b", "lights": "1"}, 7),
            ({"name": "b", "storelightstate": 1}, 7),
        ]:
            r = await rig.client.put(rig.url(f"/scenes/{hue_id}"), json=body)
            assert error(r)["type"] == kind, (body, r.text)
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert (scene["name"], scene["lights"]) == ("a", ["1", "2"])
        for missing in ("9-1", f"{gid}-9", "0-1", f"0{gid}-1", f"{gid}-01", "1", "x-y"):
            r = await rig.client.put(rig.url(f"/scenes/{missing}"), json={"name": "b"})
            assert r.status_code == 404 and error(r)["type"] == 3, missing
            assert error(r)["address"] == f"/scenes/{missing}"


async def test_delete_removes_the_scene_from_the_lamps_and_both_views(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        r = await rig.client.delete(rig.url(f"/scenes/{hue_id}"))
        assert r.json() == [{"success": f"/scenes/{hue_id} deleted"}]
        removes = [c for c in rig.transport.scene_calls if c[0] == "remove"]
        assert removes == [("remove", rig.address(i), int(gid), 1) for i in (1, 2)]
        assert (await rig.client.get(rig.url("/scenes"))).json() == {}
        assert (await rig.client.get(rig.url(f"/groups/{gid}/scenes"))).json() == {}
        r = await rig.client.delete(rig.url(f"/scenes/{hue_id}"))
        assert error(r)["type"] == 3


async def test_group_action_recalls_by_hue_id_also_through_group_0(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        other = await new_group(rig, "h", ["3"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"scene": hue_id})
        assert r.json() == [{"success": {f"/groups/{gid}/action/scene": hue_id}}]
        assert rig.transport.scene_calls[-1] == ("recall", int(gid), 1, None)
        body = {"scene": hue_id, "transitiontime": 7}  # as phue's run_scene sends it
        r = await rig.client.put(rig.url("/groups/0/action"), json=body)
        assert r.json() == [{"success": {"/groups/0/action/scene": hue_id}}]
        assert rig.transport.scene_calls[-1] == ("recall", int(gid), 1, 7)  # its own group
        calls = len(rig.transport.scene_calls)
        r = await rig.client.put(rig.url(f"/groups/{other}/action"), json={"scene": hue_id})
        assert error(r)["type"] == 7
        assert len(rig.transport.scene_calls) == calls


async def test_hue_clients_get_scene_errors_with_http_200(sqlite_url):
    async with groups_rig(sqlite_url, hue_client=True) as rig:
        r = await rig.client.get(rig.url("/scenes/1-1"))
        assert r.status_code == 200 and error(r)["type"] == 3
        r = await rig.client.post(rig.url("/scenes"), json={"name": "x"})
        assert r.status_code == 200 and error(r)["type"] == 5


async def test_scenes_need_a_valid_key(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        for method in ("GET", "POST"):
            r = await rig.client.request(method, "/api/wrongkey00/scenes", json={"name": "x"})
            assert r.status_code == 403 and error(r)["type"] == 1


async def test_full_state_lists_the_scenes(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        full = (await rig.client.get(rig.url(""))).json()
        assert list(full["scenes"]) == [hue_id]
        assert full["scenes"][hue_id]["name"] == "a"


async def test_creating_and_deleting_publish_the_groups_attr_event(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        subscription = rig.lights.h.services.events.subscribe()
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        await rig.client.delete(rig.url(f"/scenes/{hue_id}"))
        seen = []
        async with asyncio.timeout(2):
            while len(seen) < 2:
                event = await subscription.get()
                if event.get("r") == "groups" and "attr" in event:
                    seen.append(event["id"])
        assert seen == [gid, gid]


async def test_hue_attributes_survive_a_restart(database_url):
    async with groups_rig(database_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        body = {"name": "a", "group": gid, "recycle": True, "appdata": {"data": "d"}}
        hue_id = await post_scene(rig, body)
        before = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
    async with groups_rig(database_url) as rig:
        after = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert after == before and after["recycle"] is True and after["owner"]


async def test_a_full_group_recycles_its_oldest_recyclable_scene(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        group = rig.service.get(gid)  # 255 scenes straight through the service: faster
        for number in range(1, 256):
            meta = {"recycle": number in (7, 9)}
            await rig.scenes.create(group, f"s{number}", reuse_name=False, meta=meta)
        r = await rig.client.post(rig.url("/scenes"), json={"name": "new", "group": gid})
        assert r.json() == [{"success": {"id": f"{gid}-7"}}]  # 7 and 9: 7 changed first
        assert rig.transport.scene_calls[-2] == ("remove", rig.address(1), int(gid), 7)
        listed = (await rig.client.get(rig.url("/scenes"))).json()
        assert listed[f"{gid}-7"]["name"] == "new" and len(listed) == 255
        await rig.client.post(rig.url("/scenes"), json={"name": "newer", "group": gid})
        r = await rig.client.post(rig.url("/scenes"), json={"name": "none left", "group": gid})
        assert r.status_code == 503 and error(r)["type"] == 901
