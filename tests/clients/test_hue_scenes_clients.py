"""Hue v1 top-level scenes with the real client libraries: phue (``Bridge.scenes``,
``get_scene``, ``run_scene``, ``delete_scene``) and aiohue v1 (``bridge.scenes``, a
group's ``set_action(scene=...)``), unmodified, against the gateway on a real uvicorn
socket and the ZNP emulator's lamps. Each test checks what the lamps end up doing.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohue import HueBridgeV1, create_app_key
from phue import Bridge

from tests.clients.conftest import groupcasts, host_port, set_unlocked
from tests.zigbee.rig import ieee, until

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("ignore:The .warn. method is deprecated:DeprecationWarning"),
]
SCENES, LEVEL = 0x0005, 0x0008


def level(rig, index: int) -> int:
    return int(rig.emu_value(index, LEVEL, "current_level"))


def mark(rig) -> int:
    """Where the emulator's record of frames stands now (air log on ZNP, requests on deCONZ)."""
    air_log = getattr(rig.emulator, "air_log", None)
    return air_log.last_seq if air_log is not None else rig.emulator.frame_mark()


async def test_phue_lists_runs_and_deletes_a_scene_made_at_scenes(rig, tmp_path):
    host, port = host_port(rig)
    await set_unlocked(rig, 60)
    bridge = await asyncio.to_thread(Bridge, f"{host}:{port}", None, str(tmp_path / "phue"))
    await set_unlocked(rig, 0)
    api = f"/api/{bridge.username}"
    call = bridge.request  # phue's own request (HTTP, JSON, its error handling)

    lamps = [rig.gw.light_id(1), rig.gw.light_id(3)]
    created = await asyncio.to_thread(bridge.create_group, "Desk", [int(i) for i in lamps])
    gid = created[0]["success"]["id"]
    await until(lambda: all(rig.emulator.device(ieee(i)).in_group(int(gid)) for i in (1, 3)))
    await asyncio.to_thread(bridge.set_group, int(gid), {"on": True, "bri": 40}, None, 0)
    await until(lambda: level(rig, 1) == 40 and level(rig, 3) == 40)

    body = {"name": "Focus", "lights": lamps, "recycle": False, "type": "GroupScene",
            "group": gid}  # fmt: skip
    answer = await asyncio.to_thread(call, "POST", f"{api}/scenes", body)
    scene_id = answer[0]["success"]["id"]
    listed = await asyncio.to_thread(bridge.get_scene)
    assert listed[scene_id]["group"] == gid and listed[scene_id]["type"] == "GroupScene"
    scenes = await asyncio.to_thread(lambda: bridge.scenes)
    assert [(s.scene_id, s.name, s.lights) for s in scenes] == [
        (scene_id, "Focus", sorted(int(i) for i in lamps))
    ]

    # one lamp's state in the scene edited through /scenes/<id>/lightstates/<lid>
    state = {"on": True, "bri": 120}
    answer = await asyncio.to_thread(
        call, "PUT", f"{api}/scenes/{scene_id}/lightstates/{lamps[1]}", state
    )
    assert answer[1] == {"success": {f"/scenes/{scene_id}/lightstates/{lamps[1]}/bri": 120}}

    await asyncio.to_thread(bridge.set_group, int(gid), {"bri": 250}, None, 0)
    await until(lambda: level(rig, 1) == 250 and level(rig, 3) == 250)
    since = rig.emulator.air_log.last_seq
    assert await asyncio.to_thread(bridge.run_scene, "Desk", "Focus", 0) is True
    await until(lambda: level(rig, 1) == 40 and level(rig, 3) == 120, timeout=10)
    assert groupcasts(rig, since, SCENES) == [int(gid)]  # one Recall Scene groupcast

    renamed = await asyncio.to_thread(call, "PUT", f"{api}/scenes/{scene_id}", {"name": "Work"})
    assert renamed == [{"success": {f"/scenes/{scene_id}/name": "Work"}}]
    assert await asyncio.to_thread(bridge.run_scene, "Desk", "Focus") is False
    deleted = await asyncio.to_thread(bridge.delete_scene, scene_id)
    assert deleted == [{"success": f"/scenes/{scene_id} deleted"}]
    assert await asyncio.to_thread(bridge.get_scene) == {}
    missing = await asyncio.to_thread(call, "GET", f"{api}/scenes/{scene_id}")
    assert missing[0]["error"]["type"] == 3  # HTTP 200 for phue, as a Hue bridge


async def test_aiohue_reads_scenes_and_recalls_them_with_a_lamp_added_later(rig):
    await aiohue_scenario(rig, on_air=lambda since: groupcasts(rig, since, SCENES))


async def aiohue_scenario(rig, on_air) -> None:
    """Also run on a ConBee (``test_hue_scenes_conbee.py``); ``on_air(since)`` gives the
    group addresses of the Scenes cluster groupcasts since ``mark(rig)``."""
    host, port = host_port(rig)
    address = f"{host}:{port}"
    async with aiohttp.ClientSession() as http:
        await set_unlocked(rig, 60)
        key = await create_app_key(address, "home-assistant#scenes", websession=http)
        await set_unlocked(rig, 0)
        bridge = HueBridgeV1(address, key, websession=http)
        await bridge.initialize()
        assert bridge.scenes is not None  # the full state has "scenes", as a Hue bridge's

        two, three = rig.gw.light_id(2), rig.gw.light_id(3)
        created = await bridge.request("post", "groups", json={"name": "Lounge", "lights": [two]})
        gid = created[0]["success"]["id"]
        await until(lambda: rig.emulator.device(ieee(2)).in_group(int(gid)))
        await bridge.lights.update()
        await bridge.lights[two].set_state(on=True, bri=50, transitiontime=0)
        await bridge.lights[three].set_state(on=True, bri=90, transitiontime=0)
        await until(lambda: level(rig, 2) == 50 and level(rig, 3) == 90)

        answer = await bridge.request(
            "post", "scenes", json={"name": "Relax", "group": gid, "recycle": False}
        )
        scene_id = answer[0]["success"]["id"]
        # lamp 3 joins the group after the scene was made: it takes its state (90) into it
        await bridge.request("put", f"groups/{gid}", json={"lights": [two, three]})
        await until(lambda: rig.emulator.device(ieee(3)).in_group(int(gid)))
        await bridge.scenes.update()
        scene = bridge.scenes[scene_id]
        assert scene.name == "Relax" and sorted(scene.lights, key=int) == sorted([two, three])
        assert scene.locked is False and scene.recycle is False and scene.version == 2
        assert isinstance(scene.lastupdated, str) and scene.owner

        await bridge.groups.update()
        group = bridge.groups[gid]
        await group.set_action(bri=200, transitiontime=0)
        await until(lambda: level(rig, 2) == 200 and level(rig, 3) == 200)
        since = mark(rig)
        await group.set_action(scene=scene.id)
        await until(lambda: level(rig, 2) == 50 and level(rig, 3) == 90, timeout=10)
        assert on_air(since) == [int(gid)]

        # Hue recalls any scene through group 0: the groupcast goes to the scene's group
        await group.set_action(bri=220, transitiontime=0)
        await until(lambda: level(rig, 2) == 220 and level(rig, 3) == 220)
        since = mark(rig)
        all_lights = await bridge.groups.get_all_lights_group()
        await all_lights.set_action(scene=scene.id)
        await until(lambda: level(rig, 2) == 50 and level(rig, 3) == 90, timeout=10)
        assert on_air(since) == [int(gid)]

        await bridge.lights.update()
        assert bridge.lights[three].state["bri"] == 90  # the API shows the recalled values
