"""Lights, switches and bulbs: power and powerlevel, with their status twins."""

from __future__ import annotations

import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

LIGHT = "living_room_light"
DIMMER = "dining_dimmer"


async def test_power_on_writes_1_to_the_command_address_and_answers_comm_obj(rig):
    mark = rig.mark()
    r = await rig.get("power", guid=LIGHT, cmd=1)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"namespace": "power", "guid": LIGHT, "comm_obj": 1}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.kind) == ("1/0/1", "write")
    assert telegram.payload == DPTBinary(1)
    await rig.emulator.wait_for_telegram(lambda t: t.destination == "1/0/2", since=mark)
    assert rig.emulator.devices[LIGHT].on


async def test_power_with_fb_answers_the_status_the_light_reports(rig):
    r = await rig.get("power", guid=LIGHT, cmd=1, fb=None)
    assert r.status_code == 200
    assert r.json() == {"namespace": "power", "guid": LIGHT, "status": 1, "comm_obj": 1}
    r = await rig.get("power", guid=LIGHT, cmd=0, fb=None)
    assert r.json()["status"] == 0


async def test_powerstatus_reads_the_bus_when_nothing_is_known_yet(rig):
    rig.emulator.devices[LIGHT].on = True  # changed behind the gateway's back
    mark = rig.mark()
    r = await rig.get("powerstatus", guid=LIGHT)
    assert r.status_code == 200
    assert r.json() == {"namespace": "powerstatus", "guid": LIGHT, "status": 1, "comm_obj": 1}
    [read] = rig.sent_since(mark)
    assert (read.destination, read.kind) == ("1/0/2", "read")


async def test_powerstatus_answers_from_the_last_value_seen_without_reading(rig):
    await rig.get("powerstatus", guid=LIGHT)  # first call reads; now the value is known
    rig.emulator.inject("1/0/2", DPTBinary(1), source="1.1.1")
    await asyncio_sleep_until(lambda: rig.link.last_event("1/0/2").payload == DPTBinary(1))
    mark = rig.mark()
    r = await rig.get("powerstatus", guid=LIGHT)
    assert r.json()["status"] == 1
    assert rig.sent_since(mark) == []


async def test_powerlevel_sends_percent_as_dpt_5_001(rig):
    mark = rig.mark()
    r = await rig.get("powerlevel", guid=DIMMER, cmd=50)
    assert r.json() == {"namespace": "powerlevel", "guid": DIMMER, "comm_obj": 3}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("1/1/3", DPTArray((0x80,)))


async def test_powerlevel_with_fb_answers_the_reported_level(rig):
    r = await rig.get("powerlevel", guid=DIMMER, cmd=40, fb=None)
    assert r.json() == {"namespace": "powerlevel", "guid": DIMMER, "status": 40, "comm_obj": 3}
    assert rig.emulator.devices[DIMMER].level == 40


async def test_powerlevelstatus_answers_the_dimmer_level(rig):
    rig.emulator.devices[DIMMER].level = 75
    r = await rig.get("powerlevelstatus", guid=DIMMER)
    assert r.json() == {
        "namespace": "powerlevelstatus", "guid": DIMMER, "status": 75, "comm_obj": 3,
    }  # fmt: skip


@pytest.mark.parametrize("cmd", ["2", "-1", "on", "1.5", "", " 1", "1e0", "0x1", "\u0661"])
async def test_power_rejects_a_bad_cmd_with_params_errors_and_sends_nothing(rig, cmd):
    mark = rig.mark()
    r = await rig.get("power", guid=LIGHT, cmd=cmd)
    assert r.status_code == 400
    assert r.json() == {"error": "params errors"}
    assert rig.sent_since(mark) == []


@pytest.mark.parametrize("cmd", ["101", "-0.5", "100.5"])
async def test_powerlevel_outside_0_to_100_is_params_errors_and_sends_nothing(rig, cmd):
    mark = rig.mark()
    r = await rig.get("powerlevel", guid=DIMMER, cmd=cmd)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


async def test_power_without_cmd_is_params_errors(rig):
    r = await rig.get("power", guid=LIGHT)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_power_without_guid_is_params_errors(rig):
    r = await rig.get("power", cmd=1)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_repeated_cmd_is_params_errors_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.client.get(f"/api/V1/power?guid={LIGHT}&cmd=1&cmd=0")
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


async def test_unknown_guid_is_device_not_found(rig):
    r = await rig.get("power", guid="1lzPszHWAeuvzxtXBMkzWQ", cmd=1)
    assert (r.status_code, r.json()) == (404, {"error": "device not found"})


async def test_a_controller_the_device_lacks_is_device_not_found_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.get("powerlevel", guid=LIGHT, cmd=50)
    assert (r.status_code, r.json()) == (404, {"error": "device not found"})
    assert rig.sent_since(mark) == []


async def test_lower_case_v1_and_the_spec_s_double_ampersand_work(rig):
    r = await rig.client.get(f"/api/v1/powerlevel?guid={DIMMER}&&cmd=50&fb")
    assert r.json() == {"namespace": "powerlevel", "guid": DIMMER, "status": 50, "comm_obj": 3}


async def asyncio_sleep_until(predicate, within: float = 2.0) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            if predicate():
                return
        except AttributeError:
            pass
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
