"""Scenario 9: KNX <-> Zigbee bindings, with the gateway as a black box.

A binding is created over the deCONZ API (``/api/<key>/bindings``); a second KNX tunnel
straight to the interface is the wall switch (it writes and reads group addresses) and
the bus monitor; the lamp's own state is read from the lamp (emulator control socket, or
skipped on hardware where the rig cannot read it). Both outages are real: the KNX path is
cut at the suite's relay, the Zigbee stick is unplugged.

On a real installation the group addresses 14/7/0..14/7/29 must be free (nothing listens).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from xknx.dpt.payload import DPTArray, DPTBinary

from hil.api import Deconz, until
from hil.knx_monitor import BusMonitor, SeenTelegram
from hil.rig import Rig
from hil.zigbee_side import LightReading

pytestmark = [pytest.mark.hil, pytest.mark.usefixtures("knx_connected")]

KNX = {
    "switch": "14/7/1",
    "switch_status": "14/7/2",
    "dim": "14/7/3",
    "brightness": "14/7/4",
    "brightness_status": "14/7/5",
    "color_temperature": "14/7/6",
    "color_temperature_status": "14/7/7",
}
QUIET = 1.0  # an echo or a second status would show up well within this
STATUS_TIMEOUT = 5.0  # report (min interval 0..1 s) + radio + KNX on a loaded machine
RECOVERY_TIMEOUT = 45.0  # reconnect backoff (capped at 10 s) + the bindings' 2 s settle


@pytest_asyncio.fixture
async def binding(deconz: Deconz, paired: str) -> AsyncIterator[tuple[str, str]]:
    """A binding of the command light to ``KNX``; (binding id, light id), deleted after."""
    light = await deconz.light_id(paired)
    r = await deconz.post("bindings", {"name": "hil", "target": {"type": "light", "id": light},
                                       "knx": KNX})  # fmt: skip
    assert r.status_code == 200, r.text
    ident = str(r.json()[0]["success"]["id"])
    try:
        yield ident, light
    finally:
        await deconz.delete(f"bindings/{ident}")


async def reading(rig: Rig, ieee: str) -> LightReading:
    found = await rig.zigbee.read_light(ieee)
    if found is None:
        pytest.skip("this rig cannot read the light's own state (virtual rig only)")
    return found


async def put_state(deconz: Deconz, light: str, body: dict[str, Any]) -> None:
    r = await deconz.put(f"lights/{light}/state", body)
    assert r.status_code == 200 and all("success" in i for i in r.json()), r.text


def writes(bus: BusMonitor, ga: str, since: int) -> list[SeenTelegram]:
    return [t for t in bus.seen[since:] if t.destination == ga and t.kind == "write"]


async def settled_off(deconz: Deconz, light: str, bus: BusMonitor) -> None:
    await put_state(deconz, light, {"on": False})
    await asyncio.sleep(QUIET)


async def test_wall_switch_drives_the_lamp_and_gets_one_status_from_its_report(
    rig: Rig, deconz: Deconz, bus: BusMonitor, binding: tuple[str, str], paired: str
) -> None:
    _, light = binding
    await settled_off(deconz, light, bus)
    mark = len(bus.seen)
    await bus.write(KNX["switch"], DPTBinary(1))

    async def lamp_on() -> bool:
        return (await reading(rig, paired)).on

    await until(lamp_on, timeout=STATUS_TIMEOUT, what="the lamp on")
    await bus.wait_for(lambda t: t.destination == KNX["switch_status"] and t.value == 1,
                       timeout=STATUS_TIMEOUT, since=mark)  # fmt: skip
    await asyncio.sleep(QUIET)
    assert [t.value for t in writes(bus, KNX["switch_status"], mark)] == [1], "exactly one"
    assert writes(bus, KNX["switch"], mark) == [], "our status never turns into a command"


async def test_relative_and_absolute_dimming(
    rig: Rig, deconz: Deconz, bus: BusMonitor, binding: tuple[str, str], paired: str
) -> None:
    _, light = binding
    await put_state(deconz, light, {"on": True, "bri": 30, "transitiontime": 0})
    await asyncio.sleep(QUIET)
    await bus.write(KNX["dim"], DPTBinary(0b1001))  # brighter, held
    await asyncio.sleep(0.8)
    await bus.write(KNX["dim"], DPTBinary(0b1000))  # released
    await asyncio.sleep(0.5)
    level = (await reading(rig, paired)).level
    assert level is not None and 30 < level < 254
    await asyncio.sleep(0.5)
    assert (await reading(rig, paired)).level == level, "the move stopped with the rocker"
    mark = len(bus.seen)
    await bus.write(KNX["brightness"], DPTArray((0x40,)))  # 25 %

    async def at_quarter() -> bool:
        value = (await reading(rig, paired)).level
        return value is not None and abs(value - 64) <= 1

    await until(at_quarter, timeout=STATUS_TIMEOUT, what="the lamp at 25 %")
    await bus.wait_for(
        lambda t: t.destination == KNX["brightness_status"] and t.value == bytes([0x40]),
        timeout=STATUS_TIMEOUT,
        since=mark,
    )


async def test_colour_temperature_in_kelvin_with_status(
    rig: Rig, deconz: Deconz, bus: BusMonitor, binding: tuple[str, str], paired: str
) -> None:
    _, light = binding
    await put_state(deconz, light, {"on": True, "ct": 400, "transitiontime": 0})
    await asyncio.sleep(QUIET)
    mark = len(bus.seen)
    await bus.write(KNX["color_temperature"], DPTArray((0x0F, 0xA0)))  # 4000 K

    async def at_250_mired() -> bool:
        return (await reading(rig, paired)).color_temperature == 250

    await until(at_250_mired, timeout=STATUS_TIMEOUT, what="the lamp at 250 mired")
    await bus.wait_for(
        lambda t: (
            t.destination == KNX["color_temperature_status"] and t.value == bytes([0x0F, 0xA0])
        ),
        timeout=STATUS_TIMEOUT,
        since=mark,
    )


async def test_a_group_value_read_is_answered_from_the_last_report(
    deconz: Deconz, bus: BusMonitor, binding: tuple[str, str]
) -> None:
    _, light = binding
    await put_state(deconz, light, {"on": True})
    await asyncio.sleep(QUIET)
    mark = len(bus.seen)
    await bus.read(KNX["switch_status"])
    answer = await bus.wait_for(
        lambda t: t.destination == KNX["switch_status"] and t.kind == "response",
        timeout=STATUS_TIMEOUT,
        since=mark,
    )
    assert answer.value == 1


async def test_a_knx_scene_number_recalls_a_zigbee_scene(
    rig: Rig, deconz: Deconz, bus: BusMonitor, paired: str
) -> None:
    light = await deconz.light_id(paired)
    r = await deconz.post("groups", {"name": "hil scenes", "lights": [light]})
    assert r.status_code == 200, r.text
    gid = str(r.json()[0]["success"]["id"])
    ident = None
    try:
        await deconz.put(f"groups/{gid}/action", {"on": True, "bri": 50, "transitiontime": 0})
        await asyncio.sleep(QUIET)
        r = await deconz.post(f"groups/{gid}/scenes", {"name": "knx 3"})
        assert r.status_code == 200, r.text
        sid = str(r.json()[0]["success"]["id"])
        await deconz.put(f"groups/{gid}/action", {"bri": 220, "transitiontime": 0})
        scene_binding = {
            "target": {"type": "group", "id": gid},
            "knx": {"scene": "14/7/20"},
            "scenes": {"3": sid},
        }
        r = await deconz.post("bindings", scene_binding)
        assert r.status_code == 200, r.text
        ident = str(r.json()[0]["success"]["id"])
        await asyncio.sleep(QUIET)
        await bus.write("14/7/20", DPTArray((2,)))  # DPT 17.001: scene 3

        async def recalled() -> bool:
            return (await reading(rig, paired)).level == 50

        await until(recalled, timeout=STATUS_TIMEOUT, what="the scene's level back")
    finally:
        if ident is not None:
            await deconz.delete(f"bindings/{ident}")
        await deconz.delete(f"groups/{gid}")


async def test_knx_outage_sends_nothing_and_then_the_current_status_once(
    rig: Rig, deconz: Deconz, bus: BusMonitor, binding: tuple[str, str]
) -> None:
    ident, light = binding
    await put_state(deconz, light, {"on": True})
    await asyncio.sleep(QUIET)
    relay = rig.knx_relay
    log_mark = rig.process.log_size()
    relay.cut()
    try:
        await until(lambda: _not_reachable(deconz, ident), timeout=20, what="binding unreachable")
        rig.process.wait_for_log(r"event=bindings_knx_down", timeout=5, since=log_mark)
        mark = len(bus.seen)
        await put_state(deconz, light, {"on": False})
        await asyncio.sleep(QUIET)
        assert writes(bus, KNX["switch_status"], mark) == [], "nothing while the link is cut"
    finally:
        relay.restore()
    await bus.wait_for(lambda t: t.destination == KNX["switch_status"] and t.value == 0,
                       timeout=RECOVERY_TIMEOUT, since=mark)  # fmt: skip
    await asyncio.sleep(QUIET)
    assert [t.value for t in writes(bus, KNX["switch_status"], mark)] == [0], "once"


async def _not_reachable(deconz: Deconz, ident: str) -> bool:
    return (await deconz.get(f"bindings/{ident}"))["state"]["reachable"] is False


async def test_radio_outage_drops_commands_and_then_sends_the_status_once(
    rig: Rig, deconz: Deconz, bus: BusMonitor, binding: tuple[str, str], paired: str
) -> None:
    ident, light = binding
    power = rig.need(rig.zigbee.stick, rig.zigbee.missing_stick)
    await settled_off(deconz, light, bus)
    await power.unplug()
    try:
        await until(lambda: _not_reachable(deconz, ident), timeout=10, what="binding unreachable")
        mark = len(bus.seen)
        await bus.write(KNX["switch"], DPTBinary(1))
        await asyncio.sleep(QUIET)
        body = await deconz.get(f"bindings/{ident}")
        assert body["state"] == {"reachable": False, "knx": True, "zigbee": False}
    finally:
        if not os.path.exists(rig.zigbee.path):
            await power.replug()
    await until(deconz.radio_up, timeout=RECOVERY_TIMEOUT, what="the radio back")
    await bus.wait_for(lambda t: t.destination == KNX["switch_status"],
                       timeout=RECOVERY_TIMEOUT, since=mark)  # fmt: skip
    await asyncio.sleep(QUIET)
    assert [t.value for t in writes(bus, KNX["switch_status"], mark)] == [0], (
        "the command during the outage was dropped, not queued; the status is sent once"
    )
    assert not (await reading(rig, paired)).on
