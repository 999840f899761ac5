"""Hue v1 scenes' ``image`` and ``transitiontime`` beside ``storelightstate`` over a
recording radio, served by uvicorn on a real socket: the order of the ZCL commands each
lamp gets, a lamp that stops answering half way, the edges of the range, and both
attributes after a restart on SQLite and PostgreSQL (the lamps' side, with phue and
aiohue, is in tests/clients/test_hue_scene_image.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from gateway.domain.lights.model import LightUnreachable
from tests.groups.fakes import GroupsRig, groups_rig
from tests.helpers.servers import running_server

IMAGE = "4F2ED241-5AEA-4C9D-8028-55D2B111E06F"  # upper case hex is a UUID too; kept as sent


@asynccontextmanager
async def served(url: str) -> AsyncIterator[tuple[GroupsRig, httpx.AsyncClient]]:
    """The groups rig's app on uvicorn, and a client of that socket with the rig's key."""
    async with (
        groups_rig(url) as rig,
        running_server(rig.lights.h.app) as base,
        httpx.AsyncClient(base_url=f"{base}{rig.url()}") as http,
    ):
        yield rig, http


async def scene_in_group(http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[str, str]:
    r = await http.post("/groups", json={"name": "g", "lights": ["1", "2"]})
    gid = r.json()[0]["success"]["id"]
    r = await http.post("/scenes", json={"name": "s", "group": gid, **body})
    assert r.status_code == 200, r.text
    return gid, r.json()[0]["success"]["id"]


def scene_calls(rig: GroupsRig, since: int = 0) -> list[tuple[Any, ...]]:
    """What each lamp was asked since ``since``: (command, lamp index, transition)."""
    lamps = {rig.address(i): i for i in (1, 2, 3)}
    calls = rig.transport.scene_calls[since:]
    return [(c[0], lamps[c[1]], c[4] if c[0] == "add" else None) for c in calls]


async def test_image_and_stored_transition_survive_a_restart(database_url):
    async with served(database_url) as (_, http):
        gid, hue_id = await scene_in_group(http, {"image": IMAGE})
        r = await http.put(f"/scenes/{hue_id}", json={"storelightstate": True,
                                                      "transitiontime": 65535})  # fmt: skip
        assert r.status_code == 200, r.text
        before = (await http.get(f"/scenes/{hue_id}")).json()
        listed = (await http.get("/scenes")).json()
    assert before["image"] == IMAGE and listed[hue_id]["image"] == IMAGE
    assert {s["transitiontime"] for s in before["lightstates"].values()} == {65535}
    async with served(database_url) as (_, http):
        after = (await http.get(f"/scenes/{hue_id}")).json()
        assert after == before
        assert (await http.get("/scenes")).json() == listed
        deconz = (await http.get(f"/groups/{gid}/scenes/{hue_id.split('-')[1]}")).json()
        assert {light["transitiontime"] for light in deconz["lights"]} == {65535}


async def test_store_with_a_transition_time_adds_the_captured_state_after_storing_it(
    sqlite_url,
):
    async with served(sqlite_url) as (rig, http):
        _, hue_id = await scene_in_group(http, {})
        since = len(rig.transport.scene_calls)
        r = await http.put(f"/scenes/{hue_id}", json={"storelightstate": True,
                                                      "transitiontime": 0})  # fmt: skip
        assert r.json() == [
            {"success": {f"/scenes/{hue_id}/storelightstate": True}},
            {"success": {f"/scenes/{hue_id}/transitiontime": 0}},
        ]
        # Store Scene keeps a lamp's old transition time (ZCL): Add Scene then sets it
        assert scene_calls(rig, since) == [
            ("store", 1, None), ("add", 1, 0), ("store", 2, None), ("add", 2, 0),
        ]  # fmt: skip
        added = [c for c in rig.transport.scene_calls[since:] if c[0] == "add"]
        scene = (await http.get(f"/scenes/{hue_id}")).json()
        for call in added:  # the lamp gets what the scene shows for it
            lamp = "1" if call[1] == rig.address(1) else "2"
            assert call[5]["bri"] == scene["lightstates"][lamp]["bri"] == 200
            assert call[5]["on"] is scene["lightstates"][lamp]["on"] is True
        since = len(rig.transport.scene_calls)
        r = await http.put(f"/scenes/{hue_id}", json={"storelightstate": True})
        assert r.status_code == 200, r.text
        assert scene_calls(rig, since) == [("store", 1, None), ("store", 2, None)]  # as before
        kept = (await http.get(f"/scenes/{hue_id}")).json()
        assert {s["transitiontime"] for s in kept["lightstates"].values()} == {0}


async def test_a_lamp_that_does_not_take_the_transition_time_is_left_out(sqlite_url):
    async with served(sqlite_url) as (rig, http):
        _, hue_id = await scene_in_group(http, {})
        record = rig.transport.add_scene

        async def add_scene(address: Any, *args: Any) -> None:
            if address == rig.address(2):  # stored the scene, then stopped answering
                raise LightUnreachable(str(address))
            await record(address, *args)

        rig.transport.add_scene = add_scene  # type: ignore[method-assign]
        body = {"storelightstate": True, "transitiontime": 30}
        r = await http.put(f"/scenes/{hue_id}", json=body)
        assert r.status_code == 200, r.text
        scene = (await http.get(f"/scenes/{hue_id}")).json()
        assert scene["lights"] == ["1"] and scene["lightstates"]["1"]["transitiontime"] == 30


async def test_a_light_scene_stores_only_its_own_lights_with_the_transition_time(sqlite_url):
    async with served(sqlite_url) as (rig, http):
        await http.post("/groups", json={"name": "g", "lights": ["1", "2", "3"]})
        r = await http.post("/scenes", json={"name": "pair", "lights": ["1", "3"],
                                             "image": IMAGE.lower()})  # fmt: skip
        hue_id = r.json()[0]["success"]["id"]
        since = len(rig.transport.scene_calls)
        body = {"storelightstate": True, "transitiontime": 12}
        assert (await http.put(f"/scenes/{hue_id}", json=body)).status_code == 200
        assert scene_calls(rig, since) == [
            ("store", 1, None), ("add", 1, 12), ("store", 3, None), ("add", 3, 12),
        ]  # fmt: skip
        scene = (await http.get(f"/scenes/{hue_id}")).json()
        assert scene["type"] == "LightScene" and scene["image"] == IMAGE.lower()
        assert scene["lights"] == ["1", "3"]


async def test_a_transition_time_in_post_goes_with_the_states_captured_then(sqlite_url):
    # R's PhilipsHue client sends one by default (create_scene(..., transitiontime = 4))
    async with served(sqlite_url) as (rig, http):
        since = len(rig.transport.scene_calls)
        gid, hue_id = await scene_in_group(http, {"transitiontime": 4})
        assert scene_calls(rig, since) == [
            ("store", 1, None), ("add", 1, 4), ("store", 2, None), ("add", 2, 4),
        ]  # fmt: skip
        scene = (await http.get(f"/scenes/{hue_id}")).json()
        assert {s["transitiontime"] for s in scene["lightstates"].values()} == {4}
        before = (await http.get("/scenes")).json()
        since = len(rig.transport.scene_calls)
        for bad in (-1, 65536, "4", 1.5, None, True):
            r = await http.post("/scenes", json={"name": "t", "group": gid, "transitiontime": bad})
            assert r.json()[0]["error"]["type"] == 7, (bad, r.text)
        assert (await http.get("/scenes")).json() == before
        assert rig.transport.scene_calls[since:] == []
