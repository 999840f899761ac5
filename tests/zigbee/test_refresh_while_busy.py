"""A lamp is not blamed for reads that failed while the radio was held exclusively.

Touchlink tunes the stick to other channels inside ``supervisor.exclusive``; reads sent to
our lamps then go unanswered. The reconnect refresh must wait for the radio instead of
marking every lamp unreachable.
"""

from __future__ import annotations

import asyncio

import zigpy_znp.commands as mt
import zigpy_znp.types as zt

from tests.zigbee.rig import data_requests, zigbee_rig


async def test_refresh_waits_while_the_radio_is_tuned_away_and_blames_no_lamp(paired):
    async with zigbee_rig(paired, paired=4) as rig:
        gateway = rig.gateway
        bridge = gateway.side.bridge
        ids = sorted((await gateway.get("/lights")).keys())
        assert len(ids) == 4
        async with gateway.supervisor.exclusive("touchlink"):
            znp = gateway.supervisor.znp()
            await znp.request(
                mt.AF.InterPanCtl.Req(Command=zt.InterPanCommand.Set, Data=zt.Bytes([20])),
                RspStatus=zt.Status.SUCCESS,
            )
            refresh = asyncio.create_task(bridge._refresh_all())
            await asyncio.sleep(4)  # longer than a read's time-out
            await znp.request(
                mt.AF.InterPanCtl.Req(Command=zt.InterPanCommand.Clr, Data=zt.Bytes()),
                RspStatus=zt.Status.SUCCESS,
            )
            released_at = rig.emulator.frame_mark()
        await asyncio.wait_for(refresh, 30)
        for light_id in ids:
            state = (await gateway.get(f"/lights/{light_id}"))["state"]
            assert state["reachable"] is True, (light_id, state)
        # The refresh did read the lamps, once the radio was back on the network.
        assert len(data_requests(rig.emulator, released_at)) >= len(ids)
