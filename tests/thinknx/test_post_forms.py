"""POST with application/x-www-form-urlencoded bodies, as the spec allows instead of GET."""

from __future__ import annotations

from xknx.dpt.payload import DPTArray

LIGHT = "living_room_light"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_post_form_body_sets_a_controller(rig):
    mark = rig.mark()
    r = await rig.client.post("/api/V1/powerlevel", data={"guid": "dining_dimmer", "cmd": "50"})
    assert r.json() == {"namespace": "powerlevel", "guid": "dining_dimmer", "comm_obj": 3}
    assert rig.sent_since(mark)[0].payload == DPTArray((0x80,))


async def test_post_form_body_with_fb_flag(rig):
    r = await rig.client.post(
        "/api/V1/power",
        content=f"guid={LIGHT}&cmd=1&fb",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert r.json() == {"namespace": "power", "guid": LIGHT, "status": 1, "comm_obj": 1}


async def test_post_may_mix_query_and_body_parameters(rig):
    r = await rig.client.post(f"/api/V1/power?guid={LIGHT}", data={"cmd": "1"})
    assert r.status_code == 200


async def test_a_parameter_in_both_query_and_body_is_params_errors_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.client.post(f"/api/V1/power?guid={LIGHT}&cmd=1", data={"cmd": "0"})
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


async def test_post_status_and_system_commands_work(rig):
    r = await rig.client.post("/api/V1/powerstatus", data={"guid": LIGHT})
    assert r.json()["namespace"] == "powerstatus"
    r = await rig.client.post("/api/V1/system/sendKNXbyte", data={"group": "1/0/9", "value": "7"})
    assert r.json() == {"namespace": "system/sendKNXbyte", "group": "1/0/9", "value": 7}


async def test_a_json_body_is_params_errors(rig):
    r = await rig.client.post("/api/V1/power", json={"guid": LIGHT, "cmd": 1})
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_a_body_over_8_kib_is_params_errors(rig):
    r = await rig.client.post("/api/V1/power", content=b"guid=" + b"x" * 9000, headers=FORM)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_a_body_that_is_not_utf8_is_params_errors(rig):
    r = await rig.client.post("/api/V1/power", content=b"guid=\xff\xfe&cmd=1", headers=FORM)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
