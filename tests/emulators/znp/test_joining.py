"""Simulated devices join only while joins are permitted, and zigpy interviews them."""

from __future__ import annotations

import asyncio

import zigpy.types as zt
import zigpy_znp.commands as c
from zigpy.profiles import zha

from hil.emulators.znp import DeviceSpec

from .conftest import LIGHT_1, LIGHT_2, PLUG_4, JoinListener, Rig, eventually, join_all


async def test_light_joins_while_permit_is_open_and_zigpy_completes_the_interview(
    rig: Rig,
) -> None:
    emu = await rig.emulator(lights=1)
    app = await rig.app(emu)
    (device,) = await join_all(app, 1)
    assert device.ieee == LIGHT_1
    assert device.nwk == emu.device(LIGHT_1).nwk
    assert (device.manufacturer, device.model) == ("Signify Netherlands B.V.", "LCT015")
    endpoint = device.endpoints[11]
    assert endpoint.profile_id == zha.PROFILE_ID
    assert endpoint.device_type == zha.DeviceType.EXTENDED_COLOR_LIGHT
    assert set(endpoint.in_clusters) == {
        0x0000,
        0x0003,
        0x0004,
        0x0005,
        0x0006,
        0x0008,
        0x0300,
        0x1000,
    }
    assert set(endpoint.out_clusters) == {0x0019}
    assert device.node_desc.is_router and device.node_desc.is_mains_powered


async def test_join_is_reported_as_tc_device_indication_then_device_announce(rig: Rig) -> None:
    emu = await rig.emulator(lights=1)
    app = await rig.app(emu)
    mark = emu.frame_log.last_seq
    await join_all(app, 1)
    sent = [f.command for f in emu.frames(mark) if f.direction == "tx"]
    kinds = [type(cmd) for cmd in sent]
    tc = kinds.index(c.ZDO.TCDevInd.Callback)
    announce = kinds.index(c.ZDO.EndDeviceAnnceInd.Callback)
    assert tc < announce
    assert sent[tc].SrcIEEE == LIGHT_1 and sent[tc].ParentNwk == 0x0000


async def test_no_device_joins_without_permit(rig: Rig) -> None:
    emu = await rig.emulator(lights=2)
    app = await rig.app(emu)
    await asyncio.sleep(0.2)
    assert emu.join(LIGHT_1) is False
    assert all(d.factory_new for d in emu.devices.values())
    assert set(app.devices) == {app.state.node_info.ieee}


async def test_device_powered_after_permit_closed_does_not_join(rig: Rig) -> None:
    late = DeviceSpec(ieee=zt.EUI64.convert("00:17:88:01:0e:00:00:02"), online=False)
    emu = await rig.emulator(lights=1, devices=[late])
    app = await rig.app(emu)
    listener = JoinListener()
    app.add_listener(listener)
    await app.permit(1)
    await asyncio.wait_for(listener.initialized.get(), 5)  # light 1 made it in time
    await eventually(lambda: not emu.stack.permit_open(), timeout=3)
    emu.set_online(LIGHT_2, True)
    await asyncio.sleep(0.2)
    assert emu.device(LIGHT_2).factory_new
    assert emu.join(LIGHT_2) is False
    assert LIGHT_2 not in app.devices


async def test_each_kind_exposes_its_clusters(rig: Rig) -> None:
    emu = await rig.emulator(lights=4)
    app = await rig.app(emu)
    devices = {d.ieee: d for d in await join_all(app, 4)}
    plug = devices[PLUG_4].endpoints[1]
    assert plug.device_type == zha.DeviceType.ON_OFF_PLUG_IN_UNIT
    assert 0x0008 not in plug.in_clusters and 0x0300 not in plug.in_clusters
    ct = devices[LIGHT_2].endpoints[11]
    assert ct.device_type == zha.DeviceType.COLOR_TEMPERATURE_LIGHT
    caps, _ = await ct.light_color.read_attributes(["color_capabilities"])
    assert caps["color_capabilities"] == 0x10


async def test_leave_request_removes_the_device_and_it_can_join_again(rig: Rig) -> None:
    emu = await rig.emulator(lights=1)
    app = await rig.app(emu)
    (device,) = await join_all(app, 1)
    await app.permit(0)
    listener = JoinListener()
    app.add_listener(listener)
    await app.remove(device.ieee)
    await eventually(lambda: emu.device(LIGHT_1).factory_new)
    await eventually(lambda: LIGHT_1 not in app.devices)
    (again,) = await join_all(app, 1)
    assert again.ieee == LIGHT_1


async def test_a_lamp_that_leaves_while_the_network_is_open_joins_it_again(rig: Rig) -> None:
    """Like a Zigbee 3.0 lamp reset by its button: factory new, it looks for an open network."""
    emu = await rig.emulator(lights=1)
    app = await rig.app(emu)
    await join_all(app, 1)
    await app.permit(60)
    listener = JoinListener()
    app.add_listener(listener)
    emu.leave(LIGHT_1)
    device = await asyncio.wait_for(listener.initialized.get(), 10)
    assert device.ieee == LIGHT_1
    assert not emu.device(LIGHT_1).factory_new
