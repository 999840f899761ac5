"""Status controllers: the last value seen on the bus, or a GroupValueRead when unknown."""

from __future__ import annotations

import asyncio
import time

from gateway.knx.link import LinkState

LIGHT = "living_room_light"


async def test_status_reads_the_bus_again_after_the_tunnel_reconnected(rig):
    await rig.get("powerstatus", guid=LIGHT)  # read once: known from now on
    await rig.emulator.disconnect_clients()
    await rig.link.wait_for_state(LinkState.LOST, 3)
    rig.emulator.devices[LIGHT].on = True  # changed while we were away
    await rig.link.wait_for_state(LinkState.CONNECTED, 5)
    mark = rig.mark()
    r = await rig.get("powerstatus", guid=LIGHT)
    assert r.json()["status"] == 1
    assert [(t.destination, t.kind) for t in rig.sent_since(mark)] == [("1/0/2", "read")]


async def test_status_nobody_answers_is_impossible_to_execute_within_the_request_timeout(make_rig):
    rig = await make_rig(
        catalogue="""
[[devices]]
guid = "ghost"
type = "light"
power = { command = "7/0/1", status = "7/0/2", comm_obj = 1 }
"""
    )
    await rig.warm_up()
    started = time.monotonic()
    r = await rig.get("powerstatus", guid="ghost")
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert time.monotonic() - started < 2.0  # knx.request_timeout is 1 s in these tests


async def test_concurrent_status_requests_share_one_read(rig):
    rig.emulator.devices[LIGHT].read_delay = 0.2
    mark = rig.mark()
    answers = await asyncio.gather(*(rig.get("powerstatus", guid=LIGHT) for _ in range(5)))
    assert {r.json()["status"] for r in answers} == {0}
    reads = [t for t in rig.sent_since(mark) if t.kind == "read"]
    assert len(reads) == 1


async def test_status_of_a_controller_without_status_address_is_device_not_found(make_rig):
    rig = await make_rig(
        catalogue="""
[[devices]]
guid = "blind_light"
type = "light"
power = { command = "1/0/1", comm_obj = 1 }
"""
    )
    r = await rig.get("powerstatus", guid="blind_light")
    assert (r.status_code, r.json()) == (404, {"error": "device not found"})
