"""phue (a blocking Hue v1 client, registers as "python_hue"), unmodified, against the
gateway on a real uvicorn socket and the ZNP emulator's lamps. phue blocks, so each call
runs in a thread while the gateway serves on the test's event loop.
"""

from __future__ import annotations

import asyncio

import pytest
from phue import Bridge, PhueRegistrationException

from gateway.domain.groups import ALL_GROUP_ADDRESS
from tests.clients.conftest import groupcasts, host_port, set_unlocked
from tests.zigbee.rig import ieee, until

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("ignore:The .warn. method is deprecated:DeprecationWarning"),
]
ON_OFF, SCENES, LEVEL = 0x0006, 0x0005, 0x0008


async def test_phue_end_to_end(rig, tmp_path):
    host, port = host_port(rig)
    address = f"{host}:{port}"
    config = str(tmp_path / "python_hue")
    with pytest.raises(PhueRegistrationException):
        await asyncio.to_thread(Bridge, address, None, config)
    await set_unlocked(rig, 60)
    bridge = await asyncio.to_thread(Bridge, address, None, config)
    await set_unlocked(rig, 0)
    assert bridge.username

    api = await asyncio.to_thread(bridge.get_api)
    assert set(api) >= {"config", "lights", "groups", "schedules", "rules"}
    lights = await asyncio.to_thread(bridge.get_light_objects, "id")  # GET .../lights/
    assert sorted(lights) == sorted(int(rig.gw.light_id(i)) for i in range(1, 5))
    first = int(rig.gw.light_id(1))
    await asyncio.to_thread(bridge.set_light, first, {"on": True, "bri": 90}, None, 0)
    await until(lambda: rig.emu_value(1, LEVEL, "current_level") == 90)
    assert await asyncio.to_thread(bridge.get_light, first, "on") is True

    members = [int(rig.gw.light_id(1)), int(rig.gw.light_id(2))]
    created = await asyncio.to_thread(bridge.create_group, "Kitchen", members)  # POST .../groups/
    gid = int(created[0]["success"]["id"])
    assert await asyncio.to_thread(bridge.get_group_id_by_name, "Kitchen") == gid

    since = rig.emulator.air_log.last_seq
    await asyncio.to_thread(bridge.set_group, 0, "on", False)
    await until(lambda: all(rig.emu_value(i, ON_OFF, "on_off") == 0 for i in range(1, 5)))
    assert groupcasts(rig, since, ON_OFF) == [ALL_GROUP_ADDRESS]

    await until(lambda: rig.emulator.device(ieee(2)).in_group(gid))
    since = rig.emulator.air_log.last_seq
    await asyncio.to_thread(bridge.set_group, gid, {"on": True, "bri": 30}, None, 0)
    await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 30)
    assert groupcasts(rig, since, LEVEL) == [gid]
    assert rig.emu_value(3, ON_OFF, "on_off") == 0

    scene = await asyncio.to_thread(
        bridge.request, "POST", f"/api/{bridge.username}/groups/{gid}/scenes", {"name": "low"}
    )
    sid = scene[0]["success"]["id"]
    await asyncio.to_thread(bridge.set_group, gid, {"bri": 250}, None, 0)
    await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 250)
    since = rig.emulator.air_log.last_seq
    await asyncio.to_thread(bridge.set_group, gid, "scene", sid)
    await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 30)
    assert groupcasts(rig, since, SCENES) == [gid]

    group = await asyncio.to_thread(bridge.get_group, gid)
    assert group["state"] == {"all_on": True, "any_on": True}
    assert group["lights"] == [str(m) for m in members]
    errors = await asyncio.to_thread(bridge.set_light, first, "bri", 999)
    assert errors[0][0]["error"]["type"] == 7  # phue reads the list (HTTP 200 for it)
