"""Groups on a RaspBee/ConBee: the unmodified zigpy-deconz against the deCONZ emulator
(same simulated lamps as the ZNP rig). Membership reaches the lamps and a group action is
one group-addressed frame on the air."""

from __future__ import annotations

from hil.emulators.znp.air_log import AirLog
from tests.helpers.waiting import until
from tests.zigbee.rig import ieee
from tests.zigbee.test_deconz_gateway import deconz_rig

ON_OFF = 0x0006


async def test_a_group_action_on_a_conbee_is_one_groupcast(tmp_path):
    async with deconz_rig(tmp_path, lights=2, paired=2) as rig:
        log = AirLog()
        rig.emulator.air.observers.append(log.record)
        ids = [rig.gw.light_id(1), rig.gw.light_id(2)]
        r = await rig.gw.http.post(rig.gw.url("/groups"), json={"name": "c", "lights": ids})
        gid = int(r.json()[0]["success"]["id"])
        lamps = [rig.emulator.device(ieee(i)) for i in (1, 2)]
        await until(lambda: all(lamp.in_group(gid) for lamp in lamps), timeout=10)
        r = await rig.gw.http.put(rig.gw.url(f"/groups/{gid}/action"), json={"on": False})
        assert r.status_code == 200 and "success" in r.json()[0], r.text
        await until(lambda: all(rig.emu_value(i, ON_OFF, "on_off") is False for i in (1, 2)))
        frames = [f for f in log.records(dst_mode="group") if f["cluster"] == ON_OFF]
        assert [f["dst"] for f in frames] == [gid]
