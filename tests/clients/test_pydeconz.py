"""pydeconz (the library behind Home Assistant's deCONZ integration), unmodified, against
the gateway on a real uvicorn socket and the ZNP emulator's lamps."""

from __future__ import annotations

import aiohttp
import pytest
from pydeconz import DeconzSession
from pydeconz.errors import LinkButtonNotPressed

from gateway.domain.groups import ALL_GROUP_ADDRESS
from tests.clients.conftest import groupcasts, host_port, set_unlocked
from tests.zigbee.rig import ieee, until

pytestmark = pytest.mark.asyncio(loop_scope="module")
ON_OFF, SCENES, LEVEL = 0x0006, 0x0005, 0x0008


async def test_pydeconz_end_to_end(rig):
    host, port = host_port(rig)
    async with aiohttp.ClientSession() as http:
        with pytest.raises(LinkButtonNotPressed):
            await DeconzSession(http, host, port).get_api_key(client_name="pydeconz")
        await set_unlocked(rig, 60)
        key = await DeconzSession(http, host, port).get_api_key(client_name="pydeconz")
        await set_unlocked(rig, 0)

        gw = DeconzSession(http, host, port, api_key=key)
        await gw.refresh_state()
        assert sorted(gw.lights.lights.keys(), key=int) == sorted(
            (rig.gw.light_id(i) for i in range(1, 5)), key=int
        )
        first = rig.gw.light_id(1)
        await gw.lights.lights.set_state(first, on=True, brightness=120, transition_time=0)
        await until(lambda: rig.emu_value(1, ON_OFF, "on_off") == 1)

        members = [rig.gw.light_id(1), rig.gw.light_id(3)]
        created = await gw.request("post", path="/groups", json={"name": "pd", "lights": members})
        gid = created[0]["success"]["id"]
        await gw.refresh_state()
        assert gw.groups[gid].lights == members

        since = rig.emulator.air_log.last_seq
        await gw.groups.set_state("0", on=False)
        await until(lambda: all(rig.emu_value(i, ON_OFF, "on_off") == 0 for i in range(1, 5)))
        assert groupcasts(rig, since, ON_OFF) == [ALL_GROUP_ADDRESS]

        await until(lambda: rig.emulator.device(ieee(3)).in_group(int(gid)))
        since = rig.emulator.air_log.last_seq
        await gw.groups.set_state(gid, on=True, brightness=60, transition_time=0)
        await until(lambda: rig.emu_value(3, LEVEL, "current_level") == 60)
        assert groupcasts(rig, since, LEVEL) == [int(gid)]
        assert rig.emu_value(2, ON_OFF, "on_off") == 0

        scene = await gw.scenes.create_scene(gid, "evening")
        sid = scene[0]["success"]["id"]
        await gw.groups.set_state(gid, brightness=220, transition_time=0)
        await until(lambda: rig.emu_value(3, LEVEL, "current_level") == 220)
        since = rig.emulator.air_log.last_seq
        await gw.scenes.recall(gid, sid)
        await until(lambda: rig.emu_value(3, LEVEL, "current_level") == 60)
        assert groupcasts(rig, since, SCENES) == [int(gid)]

        await gw.refresh_state()
        group = gw.groups[gid]
        assert group.any_on and group.all_on
        assert [s.name for s in gw.scenes.values()] == ["evening"]
        assert gw.lights.lights[members[1]].brightness == 60
