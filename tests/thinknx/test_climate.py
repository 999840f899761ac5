"""Thermostats and HVAC units: temperatures, setpoints, modes, chrono, power, fan."""

from __future__ import annotations

import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

from hil.emulators.knx.devices import float16_from_knx

THERMOSTAT = "living_room_thermostat"
SPLIT = "bedroom_split"


async def test_actualtemp_answers_the_measured_temperature(rig):
    r = await rig.get("actualtemp", guid=THERMOSTAT)
    assert r.json() == {
        "namespace": "actualtemp", "guid": THERMOSTAT, "status": 21.5, "comm_obj": 1,
    }  # fmt: skip


async def test_actualtemp_follows_the_temperature_the_thermostat_reports(rig):
    await rig.get("actualtemp", guid=THERMOSTAT)
    mark = rig.mark()
    rig.emulator.devices[THERMOSTAT].set_actual_temperature(19.5)
    await rig.emulator.wait_for_telegram(lambda t: t.destination == "3/0/1", since=mark)
    r = await rig.get("actualtemp", guid=THERMOSTAT)
    assert r.json()["status"] == 19.5
    assert rig.sent_since(mark) == []


async def test_setpoint_sends_a_decimal_as_dpt_9_and_answers_the_reported_setpoint(rig):
    mark = rig.mark()
    r = await rig.get("setpoint", guid=THERMOSTAT, cmd="22.5", fb=None)
    assert r.json() == {"namespace": "setpoint", "guid": THERMOSTAT, "status": 22.5, "comm_obj": 2}
    [telegram] = rig.sent_since(mark)
    assert telegram.destination == "3/0/2"
    assert float16_from_knx(telegram.payload) == 22.5
    assert rig.emulator.devices[THERMOSTAT].current_setpoint == 22.5


@pytest.mark.parametrize("cmd", ["4.9", "35.5", "20,5", "nan", "inf"])
async def test_setpoint_outside_the_catalogue_range_or_malformed_is_params_errors(rig, cmd):
    mark = rig.mark()
    r = await rig.get("setpoint", guid=THERMOSTAT, cmd=cmd)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


async def test_setpointstatus_answers_the_setpoint_with_the_status_comm_obj(rig):
    rig.emulator.devices[THERMOSTAT].current_setpoint = 19.0
    r = await rig.get("setpointstatus", guid=THERMOSTAT)
    assert r.json() == {
        "namespace": "setpointstatus", "guid": THERMOSTAT, "status": 19.0, "comm_obj": 3,
    }  # fmt: skip


async def test_tempmode_sends_the_thinknx_number_as_one_byte_and_answers_it_with_fb(rig):
    mark = rig.mark()
    r = await rig.get("tempmode", guid=THERMOSTAT, cmd=2, fb=None)
    assert r.json() == {"namespace": "tempmode", "guid": THERMOSTAT, "status": 2, "comm_obj": 4}
    assert rig.sent_since(mark)[0].payload == DPTArray((2,))


@pytest.mark.parametrize("cmd", ["4", "-1", "1.5"])
async def test_tempmode_outside_0_to_3_is_params_errors(rig, cmd):
    r = await rig.get("tempmode", guid=THERMOSTAT, cmd=cmd)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_tempmodestatus_answers_the_mode(rig):
    rig.emulator.devices[THERMOSTAT].current_mode = 3
    r = await rig.get("tempmodestatus", guid=THERMOSTAT)
    assert r.json() == {
        "namespace": "tempmodestatus", "guid": THERMOSTAT, "status": 3, "comm_obj": 5,
    }  # fmt: skip


THERMOSTAT_20_102 = """
[[devices]]
guid = "t"
type = "thermostat"
tempmode = { command = "3/0/4", status = "3/0/5", comm_obj = 4, dpt = "20.102" }
"""


@pytest.mark.parametrize(("thinknx", "knx"), [(0, 2), (1, 1), (2, 3), (3, 4)])
async def test_tempmode_on_dpt_20_102_maps_thinknx_numbers_to_hvac_modes(make_rig, thinknx, knx):
    rig = await make_rig(catalogue=THERMOSTAT_20_102)
    mark = rig.mark()
    r = await rig.get("tempmode", guid="t", cmd=thinknx, fb=None)
    assert rig.sent_since(mark)[0].payload == DPTArray((knx,))
    assert r.json()["status"] == thinknx  # the emulator echoes the byte; mapped back


async def test_tempmodestatus_on_dpt_20_102_without_a_thinknx_number_is_impossible(make_rig):
    rig = await make_rig(catalogue=THERMOSTAT_20_102)
    rig.emulator.devices[THERMOSTAT].current_mode = 0  # HVAC "auto": no Thinknx number
    r = await rig.get("tempmodestatus", guid="t")
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})


async def test_chronoen_enables_the_chrono_and_chronoenstatus_reads_it(rig):
    r = await rig.get("chronoen", guid=THERMOSTAT, cmd=1, fb=None)
    assert r.json() == {"namespace": "chronoen", "guid": THERMOSTAT, "status": 1, "comm_obj": 6}
    assert rig.emulator.devices[THERMOSTAT].chrono_enabled
    r = await rig.get("chronoenstatus", guid=THERMOSTAT)
    assert r.json() == {
        "namespace": "chronoenstatus", "guid": THERMOSTAT, "status": 1, "comm_obj": 7,
    }  # fmt: skip


async def test_hvacpower_switches_the_unit_and_hvacpowerstatus_reads_it(rig):
    mark = rig.mark()
    r = await rig.get("hvacpower", guid=SPLIT, cmd=1, fb=None)
    assert r.json() == {"namespace": "hvacpower", "guid": SPLIT, "status": 1, "comm_obj": 1}
    assert rig.sent_since(mark)[0].payload == DPTBinary(1)
    r = await rig.get("hvacpowerstatus", guid=SPLIT)
    assert r.json() == {"namespace": "hvacpowerstatus", "guid": SPLIT, "status": 1, "comm_obj": 2}


async def test_hvacsetpoint_sets_the_unit_and_hvacsetpointstatus_reads_it(rig):
    r = await rig.get("hvacsetpoint", guid=SPLIT, cmd="23.5", fb=None)
    assert r.json() == {"namespace": "hvacsetpoint", "guid": SPLIT, "status": 23.5, "comm_obj": 3}
    assert rig.emulator.devices[SPLIT].current_setpoint == 23.5
    r = await rig.get("hvacsetpointstatus", guid=SPLIT)
    assert r.json() == {
        "namespace": "hvacsetpointstatus", "guid": SPLIT, "status": 23.5, "comm_obj": 4,
    }  # fmt: skip


async def test_hvacsetpoint_below_the_catalogue_minimum_is_params_errors(rig):
    r = await rig.get("hvacsetpoint", guid=SPLIT, cmd="15.5")
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


@pytest.mark.parametrize("mode", [0, 1, 2, 3, 4])
async def test_hvacmode_accepts_0_to_4_and_hvacmodestatus_reads_it(rig, mode):
    r = await rig.get("hvacmode", guid=SPLIT, cmd=mode, fb=None)
    assert r.json() == {"namespace": "hvacmode", "guid": SPLIT, "status": mode, "comm_obj": 5}
    r = await rig.get("hvacmodestatus", guid=SPLIT)
    assert r.json() == {"namespace": "hvacmodestatus", "guid": SPLIT, "status": mode, "comm_obj": 6}


async def test_hvacmode_5_is_params_errors(rig):
    r = await rig.get("hvacmode", guid=SPLIT, cmd=5)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_hvacmode_on_dpt_20_105_sends_dry_as_dehumidification(make_rig):
    rig = await make_rig(
        catalogue="""
[[devices]]
guid = "s"
type = "hvac"
hvacmode = { command = "3/1/5", status = "3/1/6", comm_obj = 5, dpt = "20.105" }
"""
    )
    mark = rig.mark()
    r = await rig.get("hvacmode", guid="s", cmd=2, fb=None)
    assert rig.sent_since(mark)[0].payload == DPTArray((14,))
    assert r.json()["status"] == 2


@pytest.mark.parametrize("speed", [0, 1, 2, 3])
async def test_hvacfan_accepts_0_to_3_and_hvacfanstatus_reads_it(rig, speed):
    r = await rig.get("hvacfan", guid=SPLIT, cmd=speed, fb=None)
    assert r.json() == {"namespace": "hvacfan", "guid": SPLIT, "status": speed, "comm_obj": 7}
    assert rig.emulator.devices[SPLIT].fan_speed == speed
    r = await rig.get("hvacfanstatus", guid=SPLIT)
    assert r.json() == {"namespace": "hvacfanstatus", "guid": SPLIT, "status": speed, "comm_obj": 8}


async def test_hvacfan_4_is_params_errors_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.get("hvacfan", guid=SPLIT, cmd=4)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []
