"""Scenes cluster on the simulated lamps, driven by zigpy over zigpy-znp."""

from __future__ import annotations

import asyncio
from typing import Any

import zigpy.types as zt
import zigpy_znp.commands as c
from zigpy.zcl import foundation
from zigpy.zcl.clusters.general import Scenes
from zigpy.zcl.foundation import Status

from hil.emulators.znp import ZnpEmulator
from hil.emulators.znp.devices import scene_fields

from .conftest import LIGHT_1, LIGHT_2, PLUG_4, JoinedRig, Rig, eventually, join_all

ON_OFF, LEVEL, COLOR, SCENES = 0x0006, 0x0008, 0x0300, 0x0005

ADD_WITH_FIELDS = foundation.ZCLCommandDef(
    id=0x00,
    name="add_with_fields",
    schema={
        "group_id": zt.Group,
        "scene_id": zt.uint8_t,
        "transition_time": zt.uint16_t,
        "scene_name": zt.LimitedCharString(16),
        "extension_field_sets": zt.SerializableBytes,
    },
    direction=foundation.Direction.Client_to_Server,
).with_compiled_schema()


def ep_of(app: Any, ieee: zt.EUI64) -> Any:
    return app.get_device(ieee=ieee).endpoints[1 if ieee == PLUG_4 else 11]


def lamp(emu: ZnpEmulator, ieee: zt.EUI64 = LIGHT_1) -> Any:
    return emu.device(ieee).endpoint


async def add_scene(ep: Any, group: int, scene: int, seconds: int, sets: bytes) -> Any:
    return await ep.scenes.request(
        False,
        ADD_WITH_FIELDS.id,
        ADD_WITH_FIELDS.schema,
        group_id=group,
        scene_id=scene,
        transition_time=seconds,
        scene_name="evening",
        extension_field_sets=zt.SerializableBytes(sets),
    )


def xy_scene(on: int, level: int, x: int, y: int) -> bytes:
    return scene_fields.encode(
        [
            scene_fields.field_set(ON_OFF, {"on_off": on}),
            scene_fields.field_set(LEVEL, {"current_level": level}),
            scene_fields.field_set(COLOR, {"current_x": x, "current_y": y}),
        ]
    )


async def test_add_scene_with_fields_then_recall_applies_them(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    await ep.groups.add(0x0005, "g")
    rsp = await add_scene(ep, 0x0005, 3, 0, xy_scene(1, 77, 20000, 21000))
    assert rsp.status == Status.SUCCESS and rsp.scene_id == 3
    await ep.on_off.off()
    rsp = await ep.scenes.recall(0x0005, 3)
    assert rsp.status == Status.SUCCESS
    light = lamp(emu)
    assert light.value(ON_OFF, "on_off") is True
    assert light.value(LEVEL, "current_level") == 77
    assert (light.value(COLOR, "current_x"), light.value(COLOR, "current_y")) == (20000, 21000)
    assert light.value(COLOR, "color_mode") == 1
    values, _ = await ep.scenes.read_attributes(
        ["count", "current_scene", "current_group", "scene_valid", "name_support"]
    )
    assert values == {
        "count": 1,
        "current_scene": 3,
        "current_group": 0x0005,
        "scene_valid": 1,
        "name_support": 0x80,
    }
    await ep.level.move_to_level(level=10, transition_time=0)
    values, _ = await ep.scenes.read_attributes(["scene_valid"])
    assert not values["scene_valid"]


async def test_recall_fades_over_the_scene_transition_time(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    await ep.level.move_to_level(level=250, transition_time=0)
    await add_scene(ep, 0, 1, 1, xy_scene(1, 50, 20000, 20000))  # 1 s
    await ep.scenes.recall(0, 1)
    await asyncio.sleep(0.3)
    assert 50 < lamp(emu).value(LEVEL, "current_level") < 250
    await eventually(lambda: lamp(emu).value(LEVEL, "current_level") == 50, timeout=2)


async def test_recall_with_its_own_transition_time_overrides_the_scene(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    await ep.level.move_to_level(level=250, transition_time=0)
    await add_scene(ep, 0, 1, 60, xy_scene(1, 50, 20000, 20000))  # a minute ...
    await ep.scenes.recall(0, 1, transition_time=0)  # ... unless the recall says at once
    assert lamp(emu).value(LEVEL, "current_level") == 50


async def test_store_scene_captures_the_current_state(joined: JoinedRig) -> None:
    emu, app = await joined(lights=2)
    ep = ep_of(app, LIGHT_2)  # colour temperature lamp
    await ep.level.move_to_level(level=120, transition_time=0)
    await ep.light_color.move_to_color_temp(color_temp_mireds=300, transition_time=0)
    assert (await ep.scenes.store(0, 9)).status == Status.SUCCESS
    await ep.light_color.move_to_color_temp(color_temp_mireds=200, transition_time=0)
    await ep.level.move_to_level(level=10, transition_time=0)
    await ep.on_off.off()
    await ep.scenes.recall(0, 9)
    light = lamp(emu, LIGHT_2)
    assert light.value(ON_OFF, "on_off") is True
    assert light.value(LEVEL, "current_level") == 120
    assert light.value(COLOR, "color_temperature") == 300
    assert light.value(COLOR, "color_mode") == 2


async def test_view_scene_returns_name_time_and_extension_fields(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    sets = xy_scene(1, 77, 20000, 21000)
    await add_scene(ep, 0, 4, 2, sets)
    mark = emu.frame_mark()
    view = await ep.scenes.view(0, 4)
    assert view.status == Status.SUCCESS
    assert (view.transition_time, view.scene_name) == (2, "evening")
    # zigpy drops the extension fields, so read them from the frame the lamp sent.
    [frame] = [
        r.command
        for r in emu.frames(mark)
        if isinstance(r.command, c.AF.IncomingMsg.Callback) and r.command.ClusterId == SCENES
    ]
    _, payload = foundation.ZCLHeader.deserialize(bytes(frame.Data))
    _, tail = Scenes.ClientCommandDefs.view_response.schema.deserialize(payload)
    parsed = {s.cluster: s.as_dict() for s in scene_fields.parse(tail)}
    assert parsed[ON_OFF] == {"on_off": 1}
    assert parsed[LEVEL] == {"current_level": 77}
    assert parsed[COLOR]["current_x"] == 20000 and parsed[COLOR]["current_y"] == 21000


async def test_missing_scene_and_foreign_group_get_the_zcl_statuses(joined: JoinedRig) -> None:
    _emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    assert (await ep.scenes.view(0, 99)).status == Status.NOT_FOUND
    assert (await ep.scenes.remove(0, 99)).status == Status.NOT_FOUND
    assert (await ep.scenes.recall(0, 99)).status == Status.NOT_FOUND
    # Group 0x0999 is not in the lamp's group table.
    assert (await ep.scenes.view(0x0999, 1)).status == Status.INVALID_FIELD
    assert (await add_scene(ep, 0x0999, 1, 0, b"")).status == Status.INVALID_FIELD
    assert (await ep.scenes.store(0x0999, 1)).status == Status.INVALID_FIELD
    assert (await ep.scenes.remove_all(0x0999)).status == Status.INVALID_FIELD
    membership = await ep.scenes.get_scene_membership(0x0999)
    assert membership.status == Status.INVALID_FIELD


async def test_scene_table_full_answers_insufficient_space(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    for scene in range(16):
        assert (await ep.scenes.store(0, scene)).status == Status.SUCCESS
    assert (await ep.scenes.store(0, 200)).status == Status.INSUFFICIENT_SPACE
    assert (await add_scene(ep, 0, 201, 0, b"")).status == Status.INSUFFICIENT_SPACE
    # Overwriting an existing scene needs no space.
    assert (await ep.scenes.store(0, 3)).status == Status.SUCCESS
    assert len(lamp(emu).scenes) == 16


async def test_malformed_extension_fields_change_nothing(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    rsp = await add_scene(ep, 0, 1, 0, b"\x06\x00\x09\x01")  # claims 9 bytes, has 1
    assert rsp.status == Status.MALFORMED_COMMAND
    assert lamp(emu).scenes == {}


async def test_get_scene_membership_remove_and_remove_all(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    await ep.groups.add(0x0007, "g")
    for scene in (1, 2, 3):
        await ep.scenes.store(0x0007, scene)
    await ep.scenes.store(0, 1)
    membership = await ep.scenes.get_scene_membership(0x0007)
    assert membership.status == Status.SUCCESS
    assert list(membership.scenes) == [1, 2, 3] and membership.capacity == 12
    assert (await ep.scenes.remove(0x0007, 2)).status == Status.SUCCESS
    assert list((await ep.scenes.get_scene_membership(0x0007)).scenes) == [1, 3]
    assert (await ep.scenes.remove_all(0x0007)).status == Status.SUCCESS
    assert list((await ep.scenes.get_scene_membership(0x0007)).scenes) == []
    assert set(lamp(emu).scenes) == {(0, 1)}


async def test_removing_a_group_removes_its_scenes(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    await ep.groups.add(0x0008, "g")
    await ep.scenes.store(0x0008, 1)
    await ep.groups.remove(0x0008)
    assert lamp(emu).scenes == {}


async def test_groupcast_recall_sets_every_member_without_answers(joined: JoinedRig) -> None:
    emu, app = await joined(lights=2)
    for ieee in (LIGHT_1, LIGHT_2):
        ep = ep_of(app, ieee)
        await ep.add_to_group(0x0050, "g")
        await ep.level.move_to_level(level=99, transition_time=0)
        await ep.scenes.store(0x0050, 1)
        await ep.level.move_to_level(level=5, transition_time=0)
    mark = emu.air_log.last_seq
    await app.groups[0x0050].endpoint.scenes.recall(0x0050, 1)
    await eventually(
        lambda: all(lamp(emu, i).value(LEVEL, "current_level") == 99 for i in (LIGHT_1, LIGHT_2)),
        timeout=2,
    )
    assert len(emu.air_log.records(mark, group=0x0050)) == 1
    await asyncio.sleep(0.05)  # time enough for an (unwanted) answer to go on the air
    assert not [r for r in emu.air_log.records(mark, cluster=SCENES) if r["dir"] == "up"]


async def test_scenes_survive_power_cycle_and_emulator_restart(rig: Rig) -> None:
    emu = await rig.emulator(lights=1)
    app = await rig.app(emu)
    await join_all(app, 1)
    ep = ep_of(app, LIGHT_1)
    await ep.groups.add(0x0070, "g")
    await add_scene(ep, 0x0070, 7, 3, xy_scene(1, 42, 30000, 20000))
    emu.set_online(LIGHT_1, False)
    emu.set_online(LIGHT_1, True)
    assert set(lamp(emu).scenes) == {(0x0070, 7)}
    await app.shutdown()
    rig.apps.remove(app)
    await emu.stop()
    rig.emulators.remove(emu)
    again = await rig.emulator(config=emu.config)
    scene = lamp(again).scenes[(0x0070, 7)]
    assert (scene.name, scene.transition) == ("evening", 30)
    assert scene.fields == {
        ON_OFF: {"on_off": 1},
        LEVEL: {"current_level": 42},
        COLOR: {"current_x": 30000, "current_y": 20000},
    }
    app = await rig.app(again)
    await app.groups.add_group(0x0070).endpoint.scenes.recall(0x0070, 7, transition_time=0)
    await eventually(lambda: lamp(again).value(LEVEL, "current_level") == 42, timeout=2)


async def test_enhanced_add_and_view_keep_tenths_of_a_second(joined: JoinedRig) -> None:
    emu, app = await joined()
    ep = ep_of(app, LIGHT_1)
    rsp = await ep.scenes.enhanced_add(0, 2, 15, "quick")  # 1.5 s
    assert rsp.status == Status.SUCCESS
    view = await ep.scenes.enhanced_view(0, 2)
    assert (view.status, view.transition_time, view.scene_name) == (Status.SUCCESS, 15, "quick")
    plain = await ep.scenes.view(0, 2)
    assert plain.transition_time == 1  # whole seconds in the plain View
    assert lamp(emu).scenes[(0, 2)].transition == 15


async def test_copy_scene_is_not_supported(joined: JoinedRig) -> None:
    _emu, app = await joined()
    rsp = await ep_of(app, LIGHT_1).scenes.copy(0, 0, 1, 0, 2)
    assert rsp.status == Status.UNSUP_CLUSTER_COMMAND
