"""Blinds, curtains and lamellas: updown, stop, heightlevel, blindstep, blindangle."""

from __future__ import annotations

import pytest
from xknx.dpt.payload import DPTBinary

from hil.emulators.knx.devices import percent_from_knx

BLIND = "living_room_blind"


@pytest.mark.parametrize(("cmd", "position"), [(1, 100.0), (0, 0.0)])
async def test_updown_moves_the_blind_down_on_1_and_up_on_0(rig, cmd, position):
    rig.emulator.devices[BLIND].current_position = 50.0
    mark = rig.mark()
    r = await rig.get("updown", guid=BLIND, cmd=cmd)
    assert r.json() == {"namespace": "updown", "guid": BLIND, "comm_obj": 1}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("2/0/1", DPTBinary(cmd))
    await rig.emulator.wait_for_telegram(lambda t: t.destination == "2/0/5", since=mark)
    assert rig.emulator.devices[BLIND].current_position == position


async def test_stop_with_cmd_1_writes_the_stop_object(rig):
    mark = rig.mark()
    r = await rig.get("stop", guid=BLIND, cmd=1)
    assert r.json() == {"namespace": "stop", "guid": BLIND, "comm_obj": 2}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("2/0/2", DPTBinary(1))


async def test_stop_with_cmd_0_is_params_errors_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.get("stop", guid=BLIND, cmd=0)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


async def test_heightlevel_takes_val_and_answers_the_reported_position_with_fb(rig):
    mark = rig.mark()
    r = await rig.get("heightlevel", guid=BLIND, val=30, fb=None)
    assert r.json() == {"namespace": "heightlevel", "guid": BLIND, "status": 30, "comm_obj": 4}
    assert percent_from_knx(rig.sent_since(mark)[0].payload) == 30
    assert rig.emulator.devices[BLIND].current_position == 30


async def test_heightlevel_with_cmd_instead_of_val_is_params_errors(rig):
    r = await rig.get("heightlevel", guid=BLIND, cmd=30)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_heightlevelstatus_answers_the_position_with_the_status_comm_obj(rig):
    rig.emulator.devices[BLIND].current_position = 60.0
    r = await rig.get("heightlevelstatus", guid=BLIND)
    assert r.json() == {
        "namespace": "heightlevelstatus", "guid": BLIND, "status": 60, "comm_obj": 5,
    }  # fmt: skip


@pytest.mark.parametrize(("cmd", "angle"), [(1, 60), (0, 40)])
async def test_blindstep_turns_the_lamellas_one_step(rig, cmd, angle):
    rig.emulator.devices[BLIND].current_angle = 50
    mark = rig.mark()
    r = await rig.get("blindstep", guid=BLIND, cmd=cmd)
    assert r.json() == {"namespace": "blindstep", "guid": BLIND, "comm_obj": 3}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("2/0/3", DPTBinary(cmd))
    await rig.emulator.wait_for_telegram(lambda t: t.destination == "2/0/7", since=mark)
    assert rig.emulator.devices[BLIND].current_angle == angle


async def test_blindangle_with_fb_answers_the_reported_angle(rig):
    r = await rig.get("blindangle", guid=BLIND, cmd=25, fb=None)
    assert r.json() == {"namespace": "blindangle", "guid": BLIND, "status": 25, "comm_obj": 6}


async def test_blindanglestatus_answers_the_angle(rig):
    rig.emulator.devices[BLIND].current_angle = 80
    r = await rig.get("blindanglestatus", guid=BLIND)
    assert r.json() == {"namespace": "blindanglestatus", "guid": BLIND, "status": 80, "comm_obj": 7}


async def test_updown_has_no_status_twin_so_fb_is_ignored(rig):
    r = await rig.get("updown", guid=BLIND, cmd=1, fb=None)
    assert r.json() == {"namespace": "updown", "guid": BLIND, "comm_obj": 1}
