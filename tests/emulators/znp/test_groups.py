"""Groups cluster and groupcast delivery, driven by zigpy's group API over zigpy-znp."""

from __future__ import annotations

import asyncio
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation
from zigpy.zcl.clusters.general import Groups
from zigpy.zcl.foundation import Status

from hil.emulators.znp import ZnpEmulator
from hil.emulators.znp.control import execute

from .conftest import LIGHT_1, LIGHT_2, LIGHT_3, PLUG_4, JoinedRig, Rig, eventually, join_all

ON_OFF = 0x0006


def endpoint_of(app: Any, ieee: zt.EUI64) -> Any:
    device = app.get_device(ieee=ieee)
    return device.endpoints[1 if ieee == PLUG_4 else 11]


def is_on(emu: ZnpEmulator, ieee: zt.EUI64) -> bool:
    return bool(emu.device(ieee).endpoint.value(ON_OFF, "on_off"))


async def test_add_group_is_answered_and_remembered_by_the_lamp(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1)
    ep = endpoint_of(app, LIGHT_1)
    rsp = await ep.groups.add(0x0123, "kitchen")
    assert rsp.status == Status.SUCCESS and rsp.group_id == 0x0123
    assert emu.device(LIGHT_1).endpoint.groups == {0x0123: "kitchen"}
    again = await ep.groups.add(0x0123, "kitchen")
    assert again.status == Status.DUPLICATE_EXISTS


async def test_view_get_membership_and_remove_group(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1)
    ep = endpoint_of(app, LIGHT_1)
    await ep.groups.add(0x0010, "a")
    await ep.groups.add(0x0020, "b")
    view = await ep.groups.view(0x0020)
    assert view.status == Status.SUCCESS and view.group_name == "b"
    missing = await ep.groups.view(0x0030)
    assert missing.status == Status.NOT_FOUND
    membership = await ep.groups.get_membership([])
    assert sorted(membership.groups) == [0x0010, 0x0020]
    assert membership.capacity == 14
    only = await ep.groups.get_membership([0x0020, 0x0099])
    assert list(only.groups) == [0x0020]
    removed = await ep.groups.remove(0x0010)
    assert removed.status == Status.SUCCESS
    assert (await ep.groups.remove(0x0010)).status == Status.NOT_FOUND
    assert set(emu.device(LIGHT_1).endpoint.groups) == {0x0020}


async def test_remove_all_groups_empties_the_table(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1)
    ep = endpoint_of(app, LIGHT_1)
    await ep.groups.add(0x0010, "a")
    await ep.groups.add(0x0011, "b")
    rsp = await ep.groups.remove_all()
    assert rsp.status == Status.SUCCESS  # a Default Response: the command has no own answer
    assert emu.device(LIGHT_1).endpoint.groups == {}


async def test_add_group_if_identifying_only_joins_identifying_lamps(joined: JoinedRig) -> None:
    emu, app = await joined(lights=2)
    await endpoint_of(app, LIGHT_1).identify.identify(5)
    # Sent as a broadcast to every endpoint, as commissioning tools do.
    payload = Groups.ServerCommandDefs.add_if_identifying.schema(
        group_id=0x0042, group_name="identifying"
    )
    header = foundation.ZCLHeader.cluster(tsn=7, command_id=0x05)
    await app.broadcast(
        profile=0x0104,
        cluster=0x0004,
        src_ep=1,
        dst_ep=0xFF,
        grpid=0,
        radius=0,
        sequence=7,
        data=header.serialize() + payload.serialize(),
    )
    await eventually(lambda: 0x0042 in emu.device(LIGHT_1).endpoint.groups, timeout=2)
    assert 0x0042 not in emu.device(LIGHT_2).endpoint.groups


async def test_group_table_full_answers_insufficient_space(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1)
    ep = endpoint_of(app, LIGHT_1)
    for group in range(1, 17):
        assert (await ep.groups.add(group, "")).status == Status.SUCCESS
    rsp = await ep.groups.add(0x0100, "one too many")
    assert rsp.status == Status.INSUFFICIENT_SPACE
    assert 0x0100 not in emu.device(LIGHT_1).endpoint.groups


async def test_groupcast_on_switches_every_member_with_one_frame_on_the_air(
    joined: JoinedRig,
) -> None:
    emu, app = await joined(lights=4)
    for ieee in (LIGHT_1, LIGHT_2, LIGHT_3, PLUG_4):
        await endpoint_of(app, ieee).on_off.off()
    for ieee in (LIGHT_1, LIGHT_3, PLUG_4):
        await endpoint_of(app, ieee).add_to_group(0x0777, "living room")
    mark = emu.air_log.last_seq
    await app.groups[0x0777].endpoint.on_off.on()
    await eventually(lambda: all(is_on(emu, i) for i in (LIGHT_1, LIGHT_3, PLUG_4)), timeout=3)
    assert not is_on(emu, LIGHT_2)  # not a member
    group_frames = emu.air_log.records(mark, group=0x0777)
    assert len(group_frames) == 1
    assert group_frames[0]["cluster"] == ON_OFF and group_frames[0]["dir"] == "down"
    # Members do not answer a groupcast (no Default Response 0x0b), they only report.

    def answers() -> list[dict[str, Any]]:
        return [r for r in emu.air_log.records(mark) if r["dir"] == "up" and r["cluster"] == ON_OFF]

    await eventually(lambda: len(answers()) >= 3, timeout=2)
    await asyncio.sleep(0.05)  # a Default Response would follow as quickly as a report
    assert len(answers()) == 3 and {bytes.fromhex(r["data"])[2] for r in answers()} == {0x0A}


async def test_groupcast_is_confirmed_by_the_coordinator(joined: JoinedRig) -> None:
    import zigpy_znp.commands as c
    import zigpy_znp.types as t

    emu, app = await joined(lights=1)
    await endpoint_of(app, LIGHT_1).add_to_group(0x0101, "g")
    mark = emu.frame_mark()
    await app.groups[0x0101].endpoint.on_off.toggle()
    await eventually(
        lambda: any(
            isinstance(r.command, c.AF.DataConfirm.Callback)
            and r.command.Status == t.Status.SUCCESS
            for r in emu.frames(mark)
            if r.direction == "tx"
        ),
        timeout=2,
    )
    requests = [
        r.command
        for r in emu.frames(mark)
        if r.direction == "rx" and isinstance(r.command, c.AF.DataRequestExt.Req)
    ]
    assert [int(r.DstAddrModeAddress.address) for r in requests] == [0x0101]
    assert requests[0].DstAddrModeAddress.mode == t.AddrMode.Group


async def test_air_control_command_lists_group_frames_with_their_group_id(
    joined: JoinedRig,
) -> None:
    emu, app = await joined(lights=1)
    await endpoint_of(app, LIGHT_1).add_to_group(0x0202, "g")
    answer = await execute(emu, '{"cmd": "air", "dst_mode": "group"}')
    before = answer["result"]["last_seq"]
    await app.groups[0x0202].endpoint.on_off.off()
    answer = await execute(emu, f'{{"cmd": "air", "since": {before}, "group": "0x0202"}}')
    frames = answer["result"]["frames"]
    assert [(f["dst_mode"], f["dst"], f["cluster"]) for f in frames] == [("group", 0x0202, 6)]
    bad = await execute(emu, '{"cmd": "air", "dst_mode": "multicast"}')
    assert bad["ok"] is False and "dst_mode" in bad["error"]


async def test_membership_survives_power_cycle_and_emulator_restart(rig: Rig) -> None:
    emu = await rig.emulator(lights=1)
    app = await rig.app(emu)
    await join_all(app, 1)
    ep = endpoint_of(app, LIGHT_1)
    await ep.groups.add(0x0303, "hall")
    emu.set_online(LIGHT_1, False)
    emu.set_online(LIGHT_1, True)
    assert emu.device(LIGHT_1).endpoint.groups == {0x0303: "hall"}
    await app.shutdown()
    rig.apps.remove(app)
    await emu.stop()
    rig.emulators.remove(emu)
    again = await rig.emulator(config=emu.config)
    assert again.device(LIGHT_1).endpoint.groups == {0x0303: "hall"}
    # A fresh zigpy (no device database) reaches the lamp through the remembered group.
    app = await rig.app(again)
    await app.groups.add_group(0x0303).endpoint.on_off.off()
    await eventually(lambda: not is_on(again, LIGHT_1), timeout=2)
