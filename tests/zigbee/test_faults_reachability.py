"""A light wrongly marked unreachable is probed back; every change is logged with its cause.

The lamp misses one command (it is deaf for a moment: emulator ``device_off``), then is
healthy again without announcing itself — as after a burst of interference or a frame
lost between stick and host. Before, nothing was ever sent to it again (the lights
service refuses commands to unreachable lights) and it stayed unreachable until it
happened to report something.
"""

from __future__ import annotations

import asyncio
import logging

import zigpy_znp.commands as mt

from tests.zigbee.rig import ieee, until, zigbee_rig

LOGGER = "gateway.zigbee.reachability"


async def refresh_done(rig) -> None:
    """The reads after connecting are over (their answers would end the test early)."""
    tasks = rig.gw.side.bridge._tasks
    await until(lambda: not any(t.get_name() == "lights-refresh" for t in tasks), timeout=10)


def probe_tsns(rig, mark: int, nwk: int) -> set[int]:
    """ZCL transaction numbers of the reads sent to ``nwk`` (zigpy-znp may resend one)."""
    return {
        r.command.Data[1]
        for r in rig.emulator.frames(mark)
        if r.direction == "rx"
        and isinstance(r.command, mt.AF.DataRequestExt.Req)
        and r.command.DstAddrModeAddress.address == nwk
        and r.command.Data[0] & 0x03 == 0  # a profile-wide command: Read Attributes
        and r.command.Data[2] == 0x00
    }


async def make_unreachable_by_a_missed_command(rig, index: int = 1) -> str:
    await refresh_done(rig)
    light = rig.gw.light_id(index)
    device = rig.emulator.device(ieee(index))
    device.set_online(False)
    r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"bri": 33})
    assert r.status_code == 200 and "error" in r.json()[0], r.text
    assert (await rig.gw.get(f"/lights/{light}"))["state"]["reachable"] is False
    device.online = True  # healthy again, silently: no announcement, no report
    return light


async def reachable(rig, light: str) -> bool:
    return bool((await rig.gw.get(f"/lights/{light}"))["state"]["reachable"])


async def test_a_healthy_light_marked_unreachable_is_probed_back_within_seconds(paired):
    async with zigbee_rig(paired) as rig:
        mark = rig.emulator.frame_mark()
        light = await make_unreachable_by_a_missed_command(rig)
        await until(lambda: reachable(rig, light), timeout=8)
        assert probe_tsns(rig, mark, rig.emulator.device(ieee(1)).nwk), "nothing was asked"
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"bri": 90})
        assert r.json() == [{"success": {f"/lights/{light}/state/bri": 90}}], r.text


async def test_both_changes_are_logged_with_their_cause(paired, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    async with zigbee_rig(paired) as rig:
        light = await make_unreachable_by_a_missed_command(rig)
        await until(lambda: reachable(rig, light), timeout=8)
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    down = [m for m in lines if "event=light_unreachable" in m and f"light={light}" in m]
    up = [m for m in lines if "event=light_reachable" in m and f"light={light}" in m]
    assert down and "not acknowledged" in down[0], lines
    assert up and "probe" in up[0], lines


async def test_a_light_that_stays_off_stays_unreachable_and_is_probed_with_backoff(paired):
    async with zigbee_rig(paired) as rig:
        await refresh_done(rig)
        light = rig.gw.light_id(2)
        device = rig.emulator.device(ieee(2))
        device.set_online(False)
        mark = rig.emulator.frame_mark()
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": True})
        assert "error" in r.json()[0], r.text
        await asyncio.sleep(4.5)  # probes at about 1 s and 3 s (1 + 2); the next after 7 s
        assert 1 <= len(probe_tsns(rig, mark, device.nwk)) <= 3
        assert not await reachable(rig, light)
        assert ieee(2) in rig.gw.side.bridge.reachability.probing


async def test_a_report_from_the_lamp_ends_the_probing(paired):
    async with zigbee_rig(paired) as rig:
        light = await make_unreachable_by_a_missed_command(rig, 3)
        rig.emulator.device(ieee(3)).announce()
        await until(lambda: reachable(rig, light), timeout=5)
        await until(lambda: ieee(3) not in rig.gw.side.bridge.reachability.probing, timeout=5)
