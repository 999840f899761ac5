"""Lamps of the shared simulated network join the deCONZ stick, are interviewed by zigpy,
obey ZCL through it and report back — the unmodified zigpy-deconz on the far side."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import zigpy.exceptions
from zigpy.zcl import foundation

from hil.emulators.deconz.runtime import APS_SLOTS
from hil.emulators.znp.devices.general import OnOffServer

from .conftest import LIGHT_1, LIGHT_2, LIGHT_3, JoinedRig, Rig, eventually, join_all

ON_OFF, LEVEL, COLOR = 0x0006, 0x0008, 0x0300


def endpoint_of(app: Any, ieee: Any) -> Any:
    return app.get_device(ieee=ieee).endpoints[11]


async def test_permit_join_lets_lamps_join_and_zigpy_interviews_them(rig: Rig) -> None:
    emu = await rig.emulator(lights=3)
    app = await rig.app(emu)
    devices = await join_all(app, 3)
    assert {d.ieee for d in devices} == {LIGHT_1, LIGHT_2, LIGHT_3}
    lamp = app.get_device(ieee=LIGHT_1)
    assert lamp.nwk == emu.device(LIGHT_1).nwk
    assert (lamp.manufacturer, lamp.model) == (
        emu.device(LIGHT_1).spec.manufacturer,
        emu.device(LIGHT_1).spec.model,
    )
    assert set(lamp.endpoints[11].in_clusters) >= {ON_OFF, LEVEL, COLOR}
    assert emu.firmware.config.devices[LIGHT_1] == lamp.nwk  # the trust center's table


async def test_joins_are_refused_once_permit_join_is_closed(rig: Rig) -> None:
    emu = await rig.emulator(lights=1)
    await rig.app(emu)  # zigpy closes joins at start-up
    assert emu.firmware.permit_remaining() == 0
    assert emu.join(LIGHT_1) is False
    assert emu.device(LIGHT_1).factory_new


async def test_on_off_level_and_colour_commands_reach_the_lamp(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    assert (await ep.on_off.off()).status == foundation.Status.SUCCESS
    assert light.value(ON_OFF, "on_off") is False
    await ep.on_off.on()
    assert light.value(ON_OFF, "on_off") is True
    await ep.level.move_to_level(level=77, transition_time=0)
    assert light.value(LEVEL, "current_level") == 77
    await ep.light_color.move_to_color(color_x=21000, color_y=22000, transition_time=0)
    assert (light.value(COLOR, "current_x"), light.value(COLOR, "current_y")) == (21000, 22000)
    await ep.light_color.move_to_color_temp(color_temp_mireds=300, transition_time=0)
    values, _ = await ep.light_color.read_attributes(["color_temperature", "color_mode"])
    assert values == {"color_temperature": 300, "color_mode": 2}


async def test_lamp_report_after_a_local_change_reaches_zigpy(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    reports: asyncio.Queue[Any] = asyncio.Queue()
    ep.on_off.on_event("attribute_report", reports.put_nowait)
    onoff = emu.device(LIGHT_1).endpoint.cluster(ON_OFF)
    assert isinstance(onoff, OnOffServer)
    onoff.switch(False)
    report = await asyncio.wait_for(reports.get(), 3)
    assert (report.attribute_name, report.value) == ("on_off", False)


async def test_groupcast_reaches_only_the_group_members(joined: JoinedRig) -> None:
    emu, app = await joined(lights=2)
    await endpoint_of(app, LIGHT_1).add_to_group(0x0101, "living")
    assert emu.device(LIGHT_1).in_group(0x0101)
    assert not emu.device(LIGHT_2).in_group(0x0101)
    mark = emu.frame_mark()
    await app.groups[0x0101].endpoint.on_off.off()
    await eventually(lambda: emu.device(LIGHT_1).endpoint.value(ON_OFF, "on_off") is False)
    assert emu.device(LIGHT_2).endpoint.value(ON_OFF, "on_off") is True
    (sent,) = [r for r in emu.requests(mark) if r.command.name == "aps_data_request"]
    assert sent.params["dst"].address_mode == 0x01  # APS group addressing on the wire
    assert sent.params["dst"].address == 0x0101


async def test_switched_off_lamp_fails_delivery_and_recovers(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    emu.set_online(LIGHT_1, False)
    with pytest.raises(zigpy.exceptions.DeliveryError):
        await ep.on_off.off()
    assert emu.device(LIGHT_1).endpoint.value(ON_OFF, "on_off") is True  # never arrived
    emu.set_online(LIGHT_1, True)
    await ep.on_off.off()
    assert emu.device(LIGHT_1).endpoint.value(ON_OFF, "on_off") is False


async def test_more_requests_than_aps_slots_are_queued_by_flow_control(joined: JoinedRig) -> None:
    """zigpy-deconz watches the free-slot flag: 15 concurrent reads to five lamps (zigpy
    sends one at a time per device) all succeed although the stick holds only 4 requests
    at a time (a slow hop keeps confirms pending long enough for the slots to fill)."""
    emu, app = await joined(lights=5)
    emu.air.latency = 0.05  # a slow hop from now on: confirms stay pending a while
    endpoints = [
        app.get_device(ieee=ieee).endpoints[device.spec.endpoint]
        for ieee, device in emu.devices.items()
    ]
    results = await asyncio.gather(
        *(ep.on_off.read_attributes(["on_off"]) for ep in endpoints for _ in range(3))
    )
    assert all(set(values) == {"on_off"} for values, _ in results)
    assert emu.firmware.runtime.slots_in_use == 0
    assert emu.firmware.stats.peak_slots_in_use == APS_SLOTS  # the flag really went down
    # zigpy-deconz checks the flag before it queues for the serial line, so a request
    # may still reach a full stick: it is refused with BUSY (never held) and retried.
    accepted = [
        r.text
        for r in emu.frames()
        if r.direction == "tx" and r.text.startswith("aps_data_request") and "BUSY" not in r.text
    ]
    confirms = [
        r for r in emu.frames() if r.direction == "tx" and r.text.startswith("aps_data_confirm(")
    ]
    assert len(confirms) == len(accepted)
