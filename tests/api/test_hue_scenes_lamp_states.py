"""Hue v1 ``/scenes``: the light state each lamp keeps for a scene, set one lamp at a
time (``PUT /scenes/<id>/lightstates/<lamp>``) or in bulk (``lightstates`` in POST and
PUT, Hue 1.29), a lamp joining a group, and a lamp that does not answer (error 202)."""

from __future__ import annotations

from tests.api.hue_scene_steps import error, new_group, post_scene, stores
from tests.groups.fakes import groups_rig


async def test_put_lightstate_adds_the_scene_in_that_lamp(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        base = f"/scenes/{hue_id}/lightstates/2"
        body = {"on": True, "bri": 33, "xy": [0.5, 0.4], "transitiontime": 20}
        r = await rig.client.put(rig.url(base), json=body)
        assert r.json()[1] == {"success": {f"{base}/bri": 33}}
        call = rig.transport.scene_calls[-1]
        assert call[:5] == ("add", rig.address(2), int(gid), 1, 20)
        assert call[5]["bri"] == 33 and call[5]["xy"] == [0.5, 0.4]
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["lightstates"]["2"] == {
            "on": True, "bri": 33, "xy": [0.5, 0.4], "transitiontime": 20,
        }  # fmt: skip


async def test_put_lightstate_errors_change_nothing(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        calls = len(rig.transport.scene_calls)
        r = await rig.client.put(rig.url(f"/scenes/{hue_id}/lightstates/3"), json={"on": True})
        assert error(r)["type"] == 3
        base = f"/scenes/{hue_id}/lightstates/1"
        for body, kind in [({}, 5), ({"alert": "select"}, 6), ({"bri": 300}, 7)]:
            r = await rig.client.put(rig.url(base), json=body)
            assert error(r)["type"] == kind, (body, r.text)
        assert len(rig.transport.scene_calls) == calls


async def test_a_lamp_that_joins_a_group_takes_its_state_into_the_groups_scenes(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        rig.transport.unreachable.add(rig.address(3))
        r = await rig.client.put(rig.url(f"/groups/{gid}"), json={"lights": ["1", "2", "3"]})
        assert r.status_code == 200, r.text
        assert stores(rig)[-1] == ("store", rig.address(2), int(gid), 1)
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["lights"] == ["1", "2"]  # lamp 3 is away: not yet
        rig.transport.unreachable.discard(rig.address(3))
        rig.lights.service.seen(rig.address(3).ieee)  # it shows up again: a frame from it
        assert await rig.service.membership.sync("3")
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["lights"] == ["1", "2", "3"]
        assert scene["lightstates"]["3"]["on"] is True


async def test_post_with_lightstates_sets_them_in_the_lamps(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        states = {"2": {"on": True, "bri": 10, "ct": 300, "transitiontime": 4}}
        body = {"name": "a", "group": gid, "lightstates": states}
        hue_id = await post_scene(rig, body)
        adds = [c for c in rig.transport.scene_calls if c[0] == "add"]
        assert [c[:5] for c in adds] == [("add", rig.address(2), int(gid), 1, 4)]
        assert adds[0][5]["bri"] == 10 and adds[0][5]["ct"] == 300
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["lightstates"]["2"] == {"on": True, "bri": 10, "ct": 300, "transitiontime": 4}
        assert scene["lightstates"]["1"]["bri"] == 200  # captured as it is


async def test_lightstates_errors_create_and_change_nothing(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        for states, kind in [
            ({"3": {"on": True}}, 7),
            ({"1": {"on": True}}, 7),  # not among the given lights
            ({"2": {"alert": "select"}}, 6),
            ({"2": {"bri": -1}}, 7),
            ({"2": {}}, 5),
            ({"2": "on"}, 7),
            ([], 7),
        ]:
            body = {"name": "a", "group": gid, "lights": ["2"], "lightstates": states}
            r = await rig.client.post(rig.url("/scenes"), json=body)
            assert error(r)["type"] == kind, (states, r.text)
        assert (await rig.client.get(rig.url("/scenes"))).json() == {}
        assert rig.transport.scene_calls == []
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        calls = len(rig.transport.scene_calls)
        body = {"name": "b", "lightstates": {"2": {"bri": 300}}}
        r = await rig.client.put(rig.url(f"/scenes/{hue_id}"), json=body)
        assert error(r)["type"] == 7
        assert len(rig.transport.scene_calls) == calls
        assert (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()["name"] == "a"


async def test_put_with_lightstates_sets_them_in_the_lamps(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        states = {"1": {"on": False}, "2": {"bri": 77, "xy": [0.3, 0.3]}}
        r = await rig.client.put(rig.url(f"/scenes/{hue_id}"), json={"lightstates": states})
        assert r.json() == [{"success": {f"/scenes/{hue_id}/lightstates": states}}]
        scene = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        assert scene["lightstates"]["1"]["on"] is False
        second = scene["lightstates"]["2"]
        assert (second["bri"], second["xy"]) == (77, [0.3, 0.3])


async def test_a_lamp_that_does_not_answer_is_error_202_and_its_state_is_kept(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await new_group(rig, "g", ["1", "2"])
        hue_id = await post_scene(rig, {"name": "a", "group": gid})
        before = (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json()
        rig.transport.unreachable.add(rig.address(2))
        base = f"/scenes/{hue_id}/lightstates/2"
        r = await rig.client.put(rig.url(base), json={"bri": 5, "transitiontime": 9})
        assert error(r) == {
            "type": 202, "address": base,
            "description": f"resource, {base}, is not modifiable. Device is not reachable.",
        }  # fmt: skip
        assert (await rig.client.get(rig.url(f"/scenes/{hue_id}"))).json() == before
        body = {"name": "b", "group": gid, "lightstates": {"1": {"bri": 9}, "2": {"bri": 5}}}
        r = await rig.client.post(rig.url("/scenes"), json=body)
        new_id = r.json()[0]["success"]["id"]
        assert r.status_code == 200 and r.json()[1]["error"]["type"] == 202
        scene = (await rig.client.get(rig.url(f"/scenes/{new_id}"))).json()
        assert scene["lights"] == ["1"] and scene["lightstates"]["1"]["bri"] == 9
