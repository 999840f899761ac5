"""Hue v1 scenes' ``image`` (API 1.36) and ``transitiontime`` beside ``storelightstate``
with the real client libraries, aiohue v1 and phue, unmodified, against the gateway on a
real uvicorn socket and the ZNP emulator's lamps: what the clients read back, what each
lamp's own scene table holds, the same after the gateway restarts, and refused bodies
that change nothing (not the answer, not the store, not a frame on the air).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohue import HueBridgeV1, create_app_key
from phue import Bridge

from tests.clients.conftest import host_port, set_unlocked
from tests.zigbee.rig import ieee, until

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("ignore:The .warn. method is deprecated:DeprecationWarning"),
]
SCENES, LEVEL = 0x0005, 0x0008
# The picture the Hue app gives its "Read" scene (a Signify scene image id)
IMAGE = "e101a77f-9984-4f61-aac8-15741983c656"


def level(rig, index: int) -> int:
    return int(rig.emu_value(index, LEVEL, "current_level"))


def lamp_scene(rig, index: int, hue_id: str) -> Any:
    """The entry of lamp ``index``'s own scene table for the Hue scene ``<gid>-<sid>``."""
    gid, sid = (int(part) for part in hue_id.split("-"))
    return rig.emulator.device(ieee(index)).endpoint.scenes.get((gid, sid))


async def phue_bridge(rig, directory) -> Bridge:
    """phue registered with the gateway (its link button: ``unlock``), as a user would."""
    host, port = host_port(rig)
    await set_unlocked(rig, 60)
    try:
        return await asyncio.to_thread(Bridge, f"{host}:{port}", None, str(directory / "phue"))
    finally:
        await set_unlocked(rig, 0)


async def group_of(rig, call, api: str, name: str, lamps: list[int]) -> str:
    ids = [rig.gw.light_id(i) for i in lamps]
    created = await asyncio.to_thread(call, "POST", f"{api}/groups", {"name": name, "lights": ids})
    gid = str(created[0]["success"]["id"])
    await until(lambda: all(rig.emulator.device(ieee(i)).in_group(int(gid)) for i in lamps))
    return gid


async def test_aiohue_makes_a_scene_with_an_image_and_reads_it_after_a_restart(rig):
    host, port = host_port(rig)
    async with aiohttp.ClientSession() as http:
        await set_unlocked(rig, 60)
        key = await create_app_key(f"{host}:{port}", "home-assistant#image", websession=http)
        await set_unlocked(rig, 0)
        bridge = HueBridgeV1(f"{host}:{port}", key, websession=http)
        await bridge.initialize()
        two = rig.gw.light_id(2)
        created = await bridge.request("post", "groups", json={"name": "Study", "lights": [two]})
        gid = created[0]["success"]["id"]
        await until(lambda: rig.emulator.device(ieee(2)).in_group(int(gid)))

        body = {"name": "Read", "group": gid, "recycle": False, "image": IMAGE}
        with_image = (await bridge.request("post", "scenes", json=body))[0]["success"]["id"]
        plain = await bridge.request("post", "scenes", json={"name": "Plain", "group": gid})
        without = plain[0]["success"]["id"]
        await bridge.scenes.update()  # GET /scenes
        assert bridge.scenes[with_image].raw["image"] == IMAGE
        assert bridge.scenes[with_image].name == "Read"
        assert "image" not in bridge.scenes[without].raw  # as a bridge: only when it has one
        one = await bridge.request("get", f"scenes/{with_image}")
        assert one["image"] == IMAGE and set(one["lightstates"]) == {two}
        assert lamp_scene(rig, 2, with_image) is not None  # stored in the lamp as any scene

    await rig.restart_gateway()
    host, port = host_port(rig)
    async with aiohttp.ClientSession() as http:
        bridge = HueBridgeV1(f"{host}:{port}", key, websession=http)
        await bridge.initialize()  # the full state's "scenes", where aiohue reads them
        assert bridge.scenes[with_image].raw["image"] == IMAGE
        assert "image" not in bridge.scenes[without].raw
        assert (await bridge.request("get", f"scenes/{with_image}"))["image"] == IMAGE


async def test_phue_stores_the_lamps_states_with_a_transition_time_kept_over_a_restart(
    rig, tmp_path
):
    bridge = await phue_bridge(rig, tmp_path)
    api, call = f"/api/{bridge.username}", bridge.request
    gid = await group_of(rig, call, api, "Hall", [1, 3])
    await asyncio.to_thread(bridge.set_group, int(gid), {"on": True, "bri": 40}, None, 0)
    await until(lambda: level(rig, 1) == 40 and level(rig, 3) == 40)
    body = {"name": "Evening", "group": gid, "image": IMAGE}
    scene_id = (await asyncio.to_thread(call, "POST", f"{api}/scenes", body))[0]["success"]["id"]
    assert [lamp_scene(rig, i, scene_id).transition for i in (1, 3)] == [0, 0]

    await asyncio.to_thread(bridge.set_group, int(gid), {"bri": 150}, None, 0)
    await until(lambda: level(rig, 1) == 150 and level(rig, 3) == 150)
    await until(lambda: _bri_shown(rig, (1, 3), 150))  # the gateway has the lamps' reports
    body = {"storelightstate": True, "transitiontime": 50}
    answer = await asyncio.to_thread(call, "PUT", f"{api}/scenes/{scene_id}", body)
    assert answer == [
        {"success": {f"/scenes/{scene_id}/storelightstate": True}},
        {"success": {f"/scenes/{scene_id}/transitiontime": 50}},
    ]
    for index in (1, 3):  # ZCL Add Scene gives whole seconds: 5 s, 50 tenths in the lamp
        entry = lamp_scene(rig, index, scene_id)
        assert entry.transition == 50 and entry.fields[LEVEL]["current_level"] == 150
    scene = await asyncio.to_thread(call, "GET", f"{api}/scenes/{scene_id}")
    assert {lid: (s["bri"], s["transitiontime"]) for lid, s in scene["lightstates"].items()} == {
        rig.gw.light_id(1): (150, 50), rig.gw.light_id(3): (150, 50),
    }  # fmt: skip
    assert scene["image"] == IMAGE  # storing again keeps the picture
    listed = [s for s in await asyncio.to_thread(lambda: bridge.scenes) if s.scene_id == scene_id]
    assert [s.name for s in listed] == ["Evening"]  # phue's Scene takes the image key too
    deconz = await asyncio.to_thread(call, "GET", f"{api}/groups/{gid}/scenes")
    assert deconz[scene_id.split("-")[1]]["transitiontime"] == 50  # the same scene there

    await rig.restart_gateway()
    host, port = host_port(rig)
    bridge = await asyncio.to_thread(
        Bridge, f"{host}:{port}", bridge.username, str(tmp_path / "phue")
    )
    after = await asyncio.to_thread(bridge.request, "GET", f"{api}/scenes/{scene_id}")
    assert after["lightstates"] == scene["lightstates"] and after["image"] == IMAGE


async def _bri_shown(rig, lamps: tuple[int, ...], bri: int) -> bool:
    lights = await rig.gw.get("/lights")
    return all(lights[rig.gw.light_id(i)]["state"]["bri"] == bri for i in lamps)


async def test_bad_image_or_transitiontime_is_refused_and_changes_nothing(rig, tmp_path):
    bridge = await phue_bridge(rig, tmp_path)  # "python_hue": errors come with HTTP 200
    api, call = f"/api/{bridge.username}", bridge.request
    gid = await group_of(rig, call, api, "Attic", [4])
    body = {"name": "Kept", "group": gid, "image": IMAGE}
    scene_id = (await asyncio.to_thread(call, "POST", f"{api}/scenes", body))[0]["success"]["id"]
    before = await asyncio.to_thread(call, "GET", f"{api}/scenes")
    one_before = await asyncio.to_thread(call, "GET", f"{api}/scenes/{scene_id}")
    in_lamp = lamp_scene(rig, 4, scene_id).as_dict()
    since = rig.emulator.air_log.last_seq

    async def refused(method: str, path: str, body: dict[str, Any]) -> tuple[int, str]:
        answer = await asyncio.to_thread(call, method, f"{api}{path}", body)
        assert len(answer) == 1 and "error" in answer[0], (body, answer)
        return answer[0]["error"]["type"], answer[0]["error"]["address"]

    not_uuids = [42, None, "", "read", IMAGE + "0", IMAGE[:-1], IMAGE.replace("-", ""),
                 "{" + IMAGE + "}", IMAGE[:-1] + "g", f"urn:uuid:{IMAGE}",
                 IMAGE + "\n"]  # fmt: skip
    for image in not_uuids:
        body = {"name": "New", "group": gid, "image": image}
        assert await refused("POST", "/scenes", body) == (7, "/scenes/image"), image

    base = f"/scenes/{scene_id}"
    for body, kind, address in [
        ({"image": IMAGE}, 6, f"{base}/image"),  # set on creation only, as a Hue bridge
        ({"transitiontime": 50}, 6, f"{base}/transitiontime"),  # only beside storing
        ({"storelightstate": False, "transitiontime": 50}, 6, f"{base}/transitiontime"),
        ({"storelightstate": True, "transitiontime": -1}, 7, f"{base}/transitiontime"),
        ({"storelightstate": True, "transitiontime": 65536}, 7, f"{base}/transitiontime"),
        ({"storelightstate": True, "transitiontime": 2.5}, 7, f"{base}/transitiontime"),
        ({"storelightstate": True, "transitiontime": "50"}, 7, f"{base}/transitiontime"),
        ({"storelightstate": True, "transitiontime": True}, 7, f"{base}/transitiontime"),
        ({"name": "Gone", "storelightstate": True, "transitiontime": None}, 7,
         f"{base}/transitiontime"),
    ]:  # fmt: skip
        assert await refused("PUT", base, body) == (kind, address), body

    assert await asyncio.to_thread(call, "GET", f"{api}/scenes") == before
    assert await asyncio.to_thread(call, "GET", f"{api}/scenes/{scene_id}") == one_before
    assert lamp_scene(rig, 4, scene_id).as_dict() == in_lamp
    assert rig.emulator.air_log.records(since, cluster=SCENES) == []  # nothing sent to lamps
