"""ZCL through zigpy changes real lamp state, with transitions and attribute reports."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from zigpy.zcl import foundation

from .conftest import LIGHT_1, LIGHT_2, JoinedRig, eventually

ON_OFF, LEVEL, COLOR, IDENTIFY = 0x0006, 0x0008, 0x0300, 0x0003


def endpoint_of(app: Any, ieee: Any) -> Any:
    return app.get_device(ieee=ieee).endpoints[11]


async def test_on_off_commands_switch_the_light_and_succeed(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    assert (await ep.on_off.off()).status == foundation.Status.SUCCESS
    assert light.value(ON_OFF, "on_off") is False
    await ep.on_off.on()
    assert light.value(ON_OFF, "on_off") is True
    await ep.on_off.toggle()
    assert light.value(ON_OFF, "on_off") is False


async def test_move_to_level_fades_over_the_transition_time(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    start = light.value(LEVEL, "current_level")
    await ep.level.move_to_level(level=54, transition_time=15)  # 1.5 s
    await asyncio.sleep(0.2)
    halfway = light.value(LEVEL, "current_level")
    (transition,) = emu.state()["devices"][0]["transitions"]
    assert 54 < halfway < start
    assert transition["target"] == {"current_level": 54}
    assert 0 < transition["remaining"] < 1.4
    await eventually(lambda: light.value(LEVEL, "current_level") == 54, timeout=2)
    await eventually(lambda: emu.state()["devices"][0]["transitions"] == [], timeout=1)


async def test_move_to_level_with_on_off_to_minimum_turns_the_light_off(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.level.move_to_level_with_on_off(level=0, transition_time=1)
    assert light.value(ON_OFF, "on_off") is True  # stays on while it dims
    await eventually(lambda: light.value(ON_OFF, "on_off") is False, timeout=1)
    assert light.value(LEVEL, "current_level") == 1
    await ep.level.move_to_level_with_on_off(level=200, transition_time=0)
    assert light.value(ON_OFF, "on_off") is True
    assert light.value(LEVEL, "current_level") == 200


async def test_level_command_is_ignored_while_off_unless_execute_if_off(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.on_off.off()
    before = light.value(LEVEL, "current_level")
    await ep.level.move_to_level(level=10, transition_time=0)
    assert light.value(LEVEL, "current_level") == before
    await ep.level.move_to_level(
        level=10, transition_time=0, options_mask=0x01, options_override=0x01
    )
    assert light.value(LEVEL, "current_level") == 10


async def test_move_to_color_temp_sets_ct_mode_and_matching_xy(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.light_color.move_to_color(color_x=20000, color_y=20000, transition_time=0)
    assert light.value(COLOR, "color_mode") == 1
    await ep.light_color.move_to_color_temp(color_temp_mireds=250, transition_time=0)
    values, _ = await ep.light_color.read_attributes(
        ["color_temperature", "color_mode", "current_x", "current_y"]
    )
    assert values["color_temperature"] == 250 and values["color_mode"] == 2
    assert abs(values["current_x"] / 65536 - 0.3805) < 0.005  # 4000 K on the locus
    assert abs(values["current_y"] / 65536 - 0.3768) < 0.005


async def test_color_temp_is_clamped_to_the_physical_range(joined: JoinedRig) -> None:
    _emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    await ep.light_color.move_to_color_temp(color_temp_mireds=60, transition_time=0)
    values, _ = await ep.light_color.read_attributes(
        ["color_temperature", "color_temp_physical_min", "color_temp_physical_max"]
    )
    assert values["color_temperature"] == values["color_temp_physical_min"] == 153
    assert values["color_temp_physical_max"] == 500


async def test_hue_saturation_and_enhanced_hue_set_hs_mode(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.light_color.move_to_hue_and_saturation(hue=170, saturation=200, transition_time=0)
    assert light.value(COLOR, "current_hue") == 170
    assert light.value(COLOR, "current_saturation") == 200
    assert light.value(COLOR, "color_mode") == 0
    await ep.light_color.enhanced_move_to_hue(enhanced_hue=0x4000, direction=0, transition_time=0)
    assert light.value(COLOR, "enhanced_current_hue") == 0x4000
    assert light.value(COLOR, "enhanced_color_mode") == 3
    assert light.value(COLOR, "current_hue") == 64


async def test_move_to_color_fades_xy(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.light_color.move_to_color(color_x=10000, color_y=10000, transition_time=0)
    await ep.light_color.move_to_color(color_x=30000, color_y=20000, transition_time=10)
    await asyncio.sleep(0.2)
    assert 10000 < light.value(COLOR, "current_x") < 30000
    await eventually(lambda: light.value(COLOR, "current_x") == 30000, timeout=2)
    assert light.value(COLOR, "current_y") == 20000


async def test_color_loop_cycles_the_hue_until_deactivated(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.light_color.enhanced_move_to_hue(enhanced_hue=1000, direction=0, transition_time=0)
    await ep.light_color.color_loop_set(
        update_flags=0x0F, action=2, direction=1, time=1, start_hue=0
    )
    assert light.value(COLOR, "color_loop_active") == 1
    first = light.value(COLOR, "enhanced_current_hue")
    await asyncio.sleep(0.1)
    assert light.value(COLOR, "enhanced_current_hue") != first
    await ep.light_color.color_loop_set(
        update_flags=0x01, action=0, direction=0, time=0, start_hue=0
    )
    assert light.value(COLOR, "color_loop_active") == 0
    assert light.value(COLOR, "enhanced_current_hue") == 1000  # back to the stored hue


async def test_colour_command_on_a_ct_only_light_is_unsupported(joined: JoinedRig) -> None:
    _emu, app = await joined(lights=2)
    ep = endpoint_of(app, LIGHT_2)
    result = await ep.light_color.move_to_hue_and_saturation(
        hue=10, saturation=10, transition_time=0
    )
    assert result.status == foundation.Status.UNSUP_CLUSTER_COMMAND


async def test_basic_attributes_describe_the_lamp(joined: JoinedRig) -> None:
    _emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    values, unsupported = await ep.basic.read_attributes(
        ["manufacturer", "model", "sw_build_id", "power_source", "serial_number"]
    )
    assert values == {
        "manufacturer": "Signify Netherlands B.V.",
        "model": "LCT015",
        "sw_build_id": "1.104.2",
        "power_source": 1,
    }
    assert unsupported == {"serial_number": foundation.Status.UNSUPPORTED_ATTRIBUTE}


async def test_read_only_attribute_cannot_be_written(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    (records,) = await ep.on_off.write_attributes({"on_off": False})
    assert records[0].status == foundation.Status.READ_ONLY
    (records,) = await ep.level.write_attributes({"on_level": 77})
    assert records[0].status == foundation.Status.SUCCESS
    assert emu.device(LIGHT_1).endpoint.value(LEVEL, "on_level") == 77


async def test_state_change_is_reported_to_zigpy(joined: JoinedRig) -> None:
    _emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    reports: asyncio.Queue[Any] = asyncio.Queue()
    ep.level.on_event("attribute_report", reports.put_nowait)
    await ep.level.move_to_level(level=99, transition_time=2)
    report = await asyncio.wait_for(reports.get(), 2)
    assert (report.attribute_name, report.value) == ("current_level", 99)
    assert ep.level.get("current_level") == 99


async def test_report_after_change_from_the_emulator_side_reaches_zigpy(
    joined: JoinedRig,
) -> None:
    """A lamp changed locally (e.g. by a wall switch) reports its new state."""
    emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    reports: asyncio.Queue[Any] = asyncio.Queue()
    ep.on_off.on_event("attribute_report", reports.put_nowait)
    onoff = emu.device(LIGHT_1).endpoint.cluster(ON_OFF)
    assert onoff is not None
    onoff.switch(False)
    report = await asyncio.wait_for(reports.get(), 2)
    assert (report.attribute_name, report.value) == ("on_off", False)


async def test_identify_and_trigger_effect_show_in_the_emulator_state(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep, light = endpoint_of(app, LIGHT_1), emu.device(LIGHT_1).endpoint
    await ep.identify.identify(identify_time=3)
    values, _ = await ep.identify.read_attributes(["identify_time"])
    assert 2 <= values["identify_time"] <= 3
    assert emu.state()["devices"][0]["identifying"] is True
    await ep.identify.trigger_effect(effect_id=0x00, effect_variant=0)
    assert emu.state()["devices"][0]["effect"] == "blink"
    await ep.identify.identify(identify_time=0)
    assert light.identifying() is False


async def test_group_command_reaches_only_members(joined: JoinedRig) -> None:
    emu, app = await joined(lights=2)
    light1 = endpoint_of(app, LIGHT_1)
    await light1.add_to_group(0x0101, "living")
    assert emu.device(LIGHT_1).in_group(0x0101)
    assert not emu.device(LIGHT_2).in_group(0x0101)
    await app.groups[0x0101].endpoint.on_off.off()
    await eventually(lambda: emu.device(LIGHT_1).endpoint.value(ON_OFF, "on_off") is False)
    assert emu.device(LIGHT_2).endpoint.value(ON_OFF, "on_off") is True


@pytest.mark.parametrize("bad_level", [255])
async def test_out_of_range_level_is_clamped_to_max(joined: JoinedRig, bad_level: int) -> None:
    emu, app = await joined()
    ep = endpoint_of(app, LIGHT_1)
    await ep.level.move_to_level(level=bad_level, transition_time=0)
    assert emu.device(LIGHT_1).endpoint.value(LEVEL, "current_level") == 254


async def test_group_membership_can_be_viewed_listed_and_removed(joined: JoinedRig) -> None:
    emu, app = await joined()
    groups = endpoint_of(app, LIGHT_1).groups
    assert (await groups.add(0x0202, "hall")).status == foundation.Status.SUCCESS
    assert (await groups.add(0x0202, "hall")).status == foundation.Status.DUPLICATE_EXISTS
    view = await groups.view(0x0202)
    assert (view.status, view.group_name) == (foundation.Status.SUCCESS, "hall")
    membership = await groups.get_membership([])
    assert list(membership.groups) == [0x0202] and membership.capacity == 15
    assert (await groups.remove(0x0202)).status == foundation.Status.SUCCESS
    assert (await groups.view(0x0202)).status == foundation.Status.NOT_FOUND
    assert not emu.device(LIGHT_1).in_group(0x0202)
