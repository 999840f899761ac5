"""Every light state attribute end to end: HTTP through uvicorn -> zigpy-znp -> MT frame on
the pty -> ZCL in the emulated lamp -> the lamp's real state -> ``GET /lights/<id>``.

One rig (emulator + gateway) serves the whole module: each case first puts its lamp into
a known state, then checks one attribute.
"""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.zigbee.rig import commands_to, ieee, until, zcl_frame, zigbee_rig

pytestmark = pytest.mark.asyncio(loop_scope="module")

ON_OFF, LEVEL, IDENTIFY, COLOR = 0x0006, 0x0008, 0x0003, 0x0300
EXTENDED, CT, DIMMABLE, PLUG = 1, 2, 3, 4  # the rig's lamps (kinds cycle in this order)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory):
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("e2e")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with zigbee_rig(directory, lights=4) as rig:
        yield rig


async def put_state(rig, lamp: int, body: dict) -> list:
    light = rig.gw.light_id(lamp)
    r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json=body)
    assert r.status_code == 200, r.text
    assert all("success" in item for item in r.json()), r.json()
    return r.json()


async def state_of(rig, lamp: int) -> dict:
    return (await rig.gw.get(f"/lights/{rig.gw.light_id(lamp)}"))["state"]


CASES = [
    # id, lamp, precondition, body, cluster, ZCL command, argument subset,
    # (cluster, attribute, value) in the lamp, state subset in GET
    ("on", EXTENDED, {"on": False}, {"on": True}, ON_OFF, "on", {},
     (ON_OFF, "on_off", True), {"on": True}),
    ("off", EXTENDED, {"on": True}, {"on": False}, ON_OFF, "off", {},
     (ON_OFF, "on_off", False), {"on": False}),
    ("bri", EXTENDED, {"on": True}, {"bri": 100, "transitiontime": 0}, LEVEL,
     "move_to_level", {"level": 100, "transition_time": 0},
     (LEVEL, "current_level", 100), {"bri": 100}),
    ("on_and_bri", EXTENDED, {"on": False}, {"on": True, "bri": 60, "transitiontime": 0},
     LEVEL, "move_to_level_with_on_off", {"level": 60, "transition_time": 0},
     (LEVEL, "current_level", 60), {"on": True, "bri": 60}),
    ("transitiontime", EXTENDED, {"on": True, "bri": 10, "transitiontime": 0},
     {"bri": 20, "transitiontime": 3}, LEVEL, "move_to_level",
     {"level": 20, "transition_time": 3}, (LEVEL, "current_level", 20), {"bri": 20}),
    ("hue_and_sat", EXTENDED, {"on": True}, {"hue": 30000, "sat": 200, "transitiontime": 0},
     COLOR, "enhanced_move_to_hue_and_saturation", {"enhanced_hue": 30000, "saturation": 200},
     (COLOR, "enhanced_current_hue", 30000), {"hue": 30000, "sat": 200, "colormode": "hs"}),
    ("hue", EXTENDED, {"on": True}, {"hue": 12000, "transitiontime": 0}, COLOR,
     "enhanced_move_to_hue", {"enhanced_hue": 12000},
     (COLOR, "enhanced_current_hue", 12000), {"hue": 12000, "colormode": "hs"}),
    ("sat", EXTENDED, {"on": True}, {"sat": 77, "transitiontime": 0}, COLOR,
     "move_to_saturation", {"saturation": 77},
     (COLOR, "current_saturation", 77), {"sat": 77, "colormode": "hs"}),
    ("ct", EXTENDED, {"on": True}, {"ct": 300, "transitiontime": 0}, COLOR,
     "move_to_color_temp", {"color_temp_mireds": 300},
     (COLOR, "color_temperature", 300), {"ct": 300, "colormode": "ct"}),
    ("ct_on_a_ct_lamp", CT, {"on": True}, {"ct": 250, "transitiontime": 0}, COLOR,
     "move_to_color_temp", {"color_temp_mireds": 250},
     (COLOR, "color_temperature", 250), {"ct": 250, "colormode": "ct"}),
    ("xy", EXTENDED, {"on": True}, {"xy": [0.4, 0.45], "transitiontime": 0}, COLOR,
     "move_to_color", {"color_x": 26214, "color_y": 29491},
     (COLOR, "current_x", 26214), {"xy": [0.4, 0.45], "colormode": "xy"}),
    ("alert_select", EXTENDED, {}, {"alert": "select"}, IDENTIFY, "identify",
     {"identify_time": 2}, None, {"alert": "none"}),
    ("alert_lselect", EXTENDED, {}, {"alert": "lselect"}, IDENTIFY, "identify",
     {"identify_time": 15}, None, {}),
    ("alert_none", EXTENDED, {}, {"alert": "none"}, IDENTIFY, "identify",
     {"identify_time": 0}, None, {}),
    ("colorloop", EXTENDED, {"on": True}, {"effect": "colorloop", "colorloopspeed": 3}, COLOR,
     "color_loop_set", {"action": 2, "direction": 1, "time": 3},
     (COLOR, "color_loop_active", 1), {"effect": "colorloop"}),
    ("effect_none", EXTENDED, {"on": True, "effect": "colorloop"}, {"effect": "none"}, COLOR,
     "color_loop_set", {"action": 0}, (COLOR, "color_loop_active", 0), {"effect": "none"}),
    ("dimmable_bri", DIMMABLE, {"on": True}, {"bri": 42, "transitiontime": 0}, LEVEL,
     "move_to_level", {"level": 42}, (LEVEL, "current_level", 42), {"bri": 42}),
    ("plug_off", PLUG, {"on": True}, {"on": False}, ON_OFF, "off", {},
     (ON_OFF, "on_off", False), {"on": False}),
]  # fmt: skip


@pytest.mark.parametrize(
    "lamp,before,body,cluster,command,args,in_lamp,shown",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_state_attribute_reaches_the_lamp_and_shows_in_get(
    rig, lamp, before, body, cluster, command, args, in_lamp, shown
):
    if before:
        await put_state(rig, lamp, before)
    mark = rig.emulator.frame_mark()
    await put_state(rig, lamp, body)
    nwk = rig.emulator.device(ieee(lamp)).nwk
    name, sent = await zcl_frame(rig.emulator, mark, cluster, nwk=nwk)
    assert name == command
    assert {k: sent[k] for k in args} == args
    if in_lamp is not None:
        cluster_id, attribute, value = in_lamp
        await until(lambda: rig.emu_value(lamp, cluster_id, attribute) == value, timeout=3)
    state = await state_of(rig, lamp)
    assert {k: state[k] for k in shown} == shown


async def test_alert_select_makes_the_lamp_identify(rig):
    await put_state(rig, EXTENDED, {"alert": "select"})
    device = rig.emulator.device(f"00:17:88:01:0e:00:00:{EXTENDED:02x}")
    assert device.endpoint.identifying()


async def test_a_light_that_is_off_refuses_bri_with_201_and_the_lamp_hears_nothing(rig):
    await put_state(rig, EXTENDED, {"on": False})
    mark = rig.emulator.frame_mark()
    light = rig.gw.light_id(EXTENDED)
    r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"bri": 5})
    assert r.json()[0]["error"]["type"] == 201
    nwk = rig.emulator.device(ieee(EXTENDED)).nwk
    assert commands_to(rig.emulator, mark, nwk) == []
