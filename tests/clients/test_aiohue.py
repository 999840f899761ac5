"""aiohue's Hue v1 API (what Home Assistant's Hue integration uses for v1 bridges),
unmodified, against the gateway on a real uvicorn socket and the ZNP emulator's lamps.

aiohue raises on any HTTP status but 200 (403 is its ``Unauthorized``), so this also
proves the Hue-client rule: with Home Assistant's devicetype every error comes with
HTTP 200, and aiohue raises its own error types.
"""

from __future__ import annotations

import aiohttp
import pytest
from aiohue import HueBridgeV1, create_app_key
from aiohue.errors import AiohueException, LinkButtonNotPressed, Unauthorized

from gateway.domain.groups import ALL_GROUP_ADDRESS
from tests.clients.conftest import groupcasts, host_port, set_unlocked
from tests.zigbee.rig import ieee, until

pytestmark = pytest.mark.asyncio(loop_scope="module")
ON_OFF, SCENES, LEVEL = 0x0006, 0x0005, 0x0008
DEVICETYPE = "home-assistant#pytest"  # what Home Assistant's Hue config flow sends


async def test_aiohue_end_to_end(rig):
    host, port = host_port(rig)
    address = f"{host}:{port}"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(LinkButtonNotPressed):
            await create_app_key(address, DEVICETYPE, websession=http)
        await set_unlocked(rig, 60)
        key = await create_app_key(address, DEVICETYPE, websession=http)
        await set_unlocked(rig, 0)

        with pytest.raises(Unauthorized):
            await HueBridgeV1(address, "not-a-key-at-all", websession=http).initialize()

        bridge = HueBridgeV1(address, key, websession=http)
        await bridge.initialize()  # GET /api/<key>/ (trailing slash)
        assert bridge.config is not None and bridge.config.bridge_id
        assert bridge.lights is not None and bridge.groups is not None
        assert sorted(bridge.lights, key=int) == sorted(
            (rig.gw.light_id(i) for i in range(1, 5)), key=int
        )
        first = bridge.lights[rig.gw.light_id(1)]
        await first.set_state(on=True, bri=150, transitiontime=0)
        await until(lambda: rig.emu_value(1, ON_OFF, "on_off") == 1)

        with pytest.raises(AiohueException) as error:  # HTTP 200 with the error list
            await first.set_state(bri=999)
        assert "invalid value" in str(error.value)

        members = [rig.gw.light_id(2), rig.gw.light_id(4)]
        created = await bridge.request("post", "groups", json={
            "name": "Living", "type": "Room", "class": "Living room", "lights": members,
        })  # fmt: skip
        gid = created[0]["success"]["id"]
        await bridge.groups.update()
        group = bridge.groups[gid]
        assert group.type == "Room" and group.lights == members

        all_lights = await bridge.groups.get_all_lights_group()
        since = rig.emulator.air_log.last_seq
        await all_lights.set_action(on=False)
        await until(lambda: all(rig.emu_value(i, ON_OFF, "on_off") == 0 for i in range(1, 5)))
        assert groupcasts(rig, since, ON_OFF) == [ALL_GROUP_ADDRESS]

        await until(lambda: rig.emulator.device(ieee(4)).in_group(int(gid)))
        since = rig.emulator.air_log.last_seq
        await group.set_action(on=True)
        await until(lambda: rig.emu_value(2, ON_OFF, "on_off") == 1)
        await until(lambda: rig.emu_value(4, ON_OFF, "on_off") == 1)
        assert groupcasts(rig, since, ON_OFF) == [int(gid)]

        await group.set_action(bri=100, transitiontime=0)
        await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 100)
        await group.set_action(bri_inc=-40, transitiontime=0)
        await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 60)

        scene = await bridge.request("post", f"groups/{gid}/scenes", json={"name": "low"})
        sid = scene[0]["success"]["id"]
        await group.set_action(bri=200, transitiontime=0)
        await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 200)
        since = rig.emulator.air_log.last_seq
        await group.set_action(scene=sid)  # Hue: recall a scene through the group action
        await until(lambda: rig.emu_value(2, LEVEL, "current_level") == 60)
        assert groupcasts(rig, since, SCENES) == [int(gid)]

        await bridge.groups.update()
        await bridge.lights.update()
        assert bridge.groups[gid].state == {"all_on": True, "any_on": True}
        assert bridge.lights[members[0]].state["bri"] == 60
