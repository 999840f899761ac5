"""Analog values (setvalue/getvalue), scenes (scenelaunch) and generic buttons (trigger)."""

from __future__ import annotations

import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

from hil.emulators.knx.devices import float16_from_knx

VALUE = "heating_curve"
SCENE = "evening_scene"
BUTTON = "doorbell"


async def test_getvalue_answers_the_current_value(rig):
    r = await rig.get("getvalue", guid=VALUE)
    assert r.json() == {"namespace": "getvalue", "guid": VALUE, "status": 45.0, "comm_obj": 2}


async def test_setvalue_sends_a_decimal_with_its_dpt_and_answers_the_reported_value(rig):
    mark = rig.mark()
    r = await rig.get("setvalue", guid=VALUE, cmd="33.5", fb=None)  # exact in DPT 9
    assert r.json() == {"namespace": "setvalue", "guid": VALUE, "status": 33.5, "comm_obj": 1}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, float16_from_knx(telegram.payload)) == ("6/0/1", 33.5)


@pytest.mark.parametrize("cmd", ["1e3", "", "12.5.1", "700000"])
async def test_setvalue_rejects_what_dpt_9_cannot_carry_or_is_not_a_number(rig, cmd):
    mark = rig.mark()
    r = await rig.get("setvalue", guid=VALUE, cmd=cmd)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


async def test_setvalue_on_an_integer_dpt_rejects_a_fraction(make_rig):
    rig = await make_rig(
        catalogue="""
[[devices]]
guid = "counter"
type = "value"
value = { command = "6/0/1", status = "6/0/2", comm_obj = 1, dpt = "5.010" }
"""
    )
    assert (await rig.get("setvalue", guid="counter", cmd="3.5")).status_code == 400
    mark = rig.mark()
    r = await rig.get("setvalue", guid="counter", cmd="200")
    assert r.status_code == 200
    assert rig.sent_since(mark)[0].payload == DPTArray((200,))


async def test_scenelaunch_1_sends_the_scene_number_and_the_scene_runs(rig):
    mark = rig.mark()
    r = await rig.get("scenelaunch", guid=SCENE, cmd=1)
    assert r.json() == {"namespace": "scenelaunch", "guid": SCENE, "comm_obj": 1}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("4/0/1", DPTArray((1,)))
    await rig.emulator.wait_for_telegram(lambda t: t.destination == "1/0/1", since=mark)
    assert rig.emulator.devices["house_scenes"].recalled == [1]


async def test_scenelaunch_0_without_a_stop_address_is_impossible_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.get("scenelaunch", guid=SCENE, cmd=0)
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert rig.sent_since(mark) == []


async def test_scenelaunch_0_writes_1_to_the_stop_address_when_there_is_one(make_rig):
    rig = await make_rig(
        catalogue="""
[[devices]]
guid = "scene"
type = "scene"
scenelaunch = { command = "4/0/1", scene = 5, stop = "4/0/9", comm_obj = 1 }
"""
    )
    mark = rig.mark()
    r = await rig.get("scenelaunch", guid="scene", cmd=0)
    assert r.status_code == 200
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("4/0/9", DPTBinary(1))


async def test_trigger_without_cmd_presses_the_button_with_a_1(rig):
    mark = rig.mark()
    r = await rig.get("trigger", guid=BUTTON)
    assert r.json() == {"namespace": "trigger", "guid": BUTTON, "comm_obj": 1}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.payload) == ("5/0/1", DPTBinary(1))
    assert rig.emulator.devices[BUTTON].presses == 1


async def test_trigger_with_cmd_0_sends_a_0(rig):
    mark = rig.mark()
    r = await rig.get("trigger", guid=BUTTON, cmd=0)
    assert r.status_code == 200
    assert rig.sent_since(mark)[0].payload == DPTBinary(0)


async def test_trigger_with_cmd_2_is_params_errors(rig):
    r = await rig.get("trigger", guid=BUTTON, cmd=2)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
