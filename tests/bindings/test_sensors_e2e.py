"""Zigbee sensors and switches to KNX end to end: the emulator's motion sensor, climate
sensor, door contact and Hue dimmer switch (driven through its control commands) report
over zigpy-znp; the gateway's sensors service publishes them; the bindings send KNX
telegrams that a second tunnel sees, and answer GroupValueRead from the last value.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from xknx.dpt.payload import DPTArray

from gateway.knx import dpt
from tests.bindings.world import World, bindings_world
from tests.helpers.waiting import until
from tests.sensors.rig import CLIMATE, CONTACT, DIMMER, MOTION, control, sensor_id, sensors_rig

pytestmark = pytest.mark.asyncio(loop_scope="module")

WAIT = 5.0


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.sensors.conftest import _build
    from tests.zigbee.conftest import copy_template

    template = tmp_path_factory.mktemp("sensors-template")
    _build(template)
    directory = tmp_path_factory.mktemp("bindings-sensors")
    copy_template(template, directory)
    async with bindings_world(directory, zigbee=sensors_rig(directory)) as built:
        gw = built.rig.gw
        motion = sensor_id(gw, f"{MOTION.upper()}-02-0406")
        lux = sensor_id(gw, f"{MOTION.upper()}-02-0400")
        temperature = sensor_id(gw, f"{CLIMATE.upper()}-01-0402")
        contact = sensor_id(gw, f"{CONTACT.upper()}-01-0500")
        dimmer = sensor_id(gw, f"{DIMMER.upper()}-02-FC00")
        for ident, knx in (
            (motion, {"presence": "4/0/1"}),
            (lux, {"lux": "4/0/2"}),
            (temperature, {"temperature": "4/0/3"}),
            (contact, {"open": "4/0/4"}),
        ):
            await built.create({"target": {"type": "sensor", "id": ident}, "knx": knx})
        buttons = [
            {"event": 1002, "address": "4/1/1", "value": 1},
            {"event": 4002, "address": "4/1/1", "value": 0},
        ]
        await built.create({"target": {"type": "sensor", "id": dimmer}, "buttons": buttons})
        yield built


async def test_presence_and_contact_become_dpt1_telegrams(world: World) -> None:
    emu, mark = world.rig.emulator, len(world.wall.seen)
    await control(emu, cmd="motion", ieee=MOTION, occupied=True)
    await world.wall.wait_for(lambda t: t.destination == "4/0/1" and t.value == 1,
                              timeout=WAIT, since=mark)  # fmt: skip
    await control(emu, cmd="contact", ieee=CONTACT, open=True)
    await world.wall.wait_for(lambda t: t.destination == "4/0/4" and t.value == 1,
                              timeout=WAIT, since=mark)  # fmt: skip


async def test_temperature_and_lux_become_dpt9_telegrams(world: World) -> None:
    emu, mark = world.rig.emulator, len(world.wall.seen)
    await control(emu, cmd="temperature", ieee=CLIMATE, celsius=23.5)
    await world.wall.wait_for(  # 23.5 °C as DPT 9: 0x0C97
        lambda t: t.destination == "4/0/3" and t.value == bytes([0x0C, 0x97]),
        timeout=WAIT,
        since=mark,
    )
    await control(emu, cmd="illuminance", ieee=MOTION, lux=1000)
    seen = await world.wall.wait_for(
        lambda t: t.destination == "4/0/2" and t.kind == "write", timeout=WAIT, since=mark
    )
    assert isinstance(seen.value, bytes)
    assert abs(dpt.decode("9.004", DPTArray(tuple(seen.value))) - 1000) < 5


async def test_each_button_press_is_a_telegram(world: World) -> None:
    emu, mark = world.rig.emulator, len(world.wall.seen)

    def presses() -> list[object]:
        return [t.value for t in world.wall.seen[mark:] if t.destination == "4/1/1"]

    for count, button in enumerate(("on", "on", "off"), start=1):
        await control(emu, cmd="press", ieee=DIMMER, button=button, event="short_release")
        await until(lambda count=count: len(presses()) >= count, WAIT)
    assert presses() == [1, 1, 0], "every press is sent, the same value twice too"


async def test_a_read_of_a_sensor_value_is_answered_from_the_last_reading(world: World) -> None:
    emu = world.rig.emulator
    await control(emu, cmd="temperature", ieee=CLIMATE, celsius=19.0)
    mark = len(world.wall.seen)
    await world.wall.wait_for(lambda t: t.destination == "4/0/3", timeout=WAIT, since=mark)
    mark = len(world.wall.seen)
    await world.wall.read("4/0/3")
    answer = await world.wall.wait_for(
        lambda t: t.destination == "4/0/3" and t.kind == "response", timeout=WAIT, since=mark
    )
    assert answer.value == bytes([0x07, 0x6C])  # 19.0 °C
