"""Network life cycle through the unmodified zigpy-znp ControllerApplication."""

from __future__ import annotations

import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.types.nvids import OsalNvIds

from .conftest import FORMED_CHANNEL, LIGHT_1, JoinedRig, Rig, eventually


async def test_first_start_forms_a_network_zigpy_and_stick_agree_on(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    app = await rig.app(emu, channel=20)
    info = app.state.network_info
    assert emu.stack.stats.formations >= 1
    assert emu.network is not None
    assert (emu.network.channel, emu.network.pan_id) == (20, info.pan_id)
    assert emu.network.extended_pan_id == info.extended_pan_id
    assert emu.network.network_key == info.network_key.key
    assert app.state.node_info.model == "CC2652"


async def test_restart_on_the_same_state_file_restores_instead_of_forming(rig: Rig) -> None:
    config = rig.config(formed=False)
    first = await rig.emulator(config)
    app = await rig.app(first, channel=25)
    before = app.state.network_info
    await app.shutdown()
    rig.apps.remove(app)
    await first.stop()
    rig.emulators.remove(first)

    again = await rig.emulator(config)
    mark = again.frame_mark()
    app = await rig.app(again, channel=25)
    after = app.state.network_info
    assert again.stack.stats.formations == 0
    assert (after.channel, after.pan_id, after.extended_pan_id) == (
        before.channel,
        before.pan_id,
        before.extended_pan_id,
    )
    assert after.network_key.key == before.network_key.key
    assert after.network_key.tx_counter >= before.network_key.tx_counter
    written = {
        frame.command.Id
        for frame in again.frames(mark)
        if isinstance(frame.command, c.SYS.OSALNVWriteExt.Req)
    }
    assert OsalNvIds.NIB not in written  # nothing was re-formed or restored


async def test_formation_energy_scan_picks_the_quietest_allowed_channel(rig: Rig) -> None:
    emu = await rig.emulator(formed=False, channel_energy={11: 200, 15: 180, 20: 12, 25: 150})
    app = await rig.app(emu)  # no channel configured: zigpy runs an energy scan
    assert app.state.network_info.channel == 20
    assert emu.network is not None and emu.network.channel == 20


async def test_energy_scan_reports_the_configured_noise(rig: Rig) -> None:
    emu = await rig.emulator(channel_energy={17: 222, 18: 3})
    app = await rig.app(emu)
    result = await app.energy_scan(zt.Channels.from_channel_list([17, 18]), 2, 1)
    assert result == {17: 222, 18: 3}


async def test_channel_change_moves_the_network_and_the_lights_follow(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1)
    light = emu.device(LIGHT_1)
    await app.move_network_to_channel(25, num_broadcasts=1)
    assert app.state.network_info.channel == 25
    assert emu.network is not None and emu.network.channel == 25
    assert emu.network.nwk_update_id == 1
    await eventually(lambda: light.channel == 25)
    endpoint = app.get_device(ieee=LIGHT_1).endpoints[11]
    await endpoint.on_off.off()
    assert light.endpoint.value(6, "on_off") is False


async def test_light_switched_off_during_channel_change_rejoins_when_powered(
    joined: JoinedRig,
) -> None:
    emu, app = await joined(lights=1)
    light = emu.device(LIGHT_1)
    emu.set_online(LIGHT_1, False)
    await app.move_network_to_channel(20, num_broadcasts=1)
    assert light.channel == FORMED_CHANNEL  # it slept through the change
    emu.set_online(LIGHT_1, True)
    await eventually(lambda: light.channel == 20)
    endpoint = app.get_device(ieee=LIGHT_1).endpoints[11]
    await endpoint.on_off.toggle()


async def test_network_backup_contains_joined_light_and_its_link_key(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1)
    backup = await app.backups.create_backup(load_devices=True)
    info = backup.network_info
    nwk = emu.device(LIGHT_1).nwk
    assert info.nwk_addresses[LIGHT_1] == nwk
    assert LIGHT_1 in {key.partner_ieee for key in info.key_table}
    assert info.network_key.tx_counter > 0


async def test_mt_nwk_update_request_scan_answers_with_update_notify(rig: Rig) -> None:
    emu = await rig.emulator(channel_energy={11: 77, 26: 5})
    znp = await rig.znp(emu)
    await znp.request_callback_rsp(
        request=c.AppConfig.BDBStartCommissioning.Req(
            Mode=c.app_config.BDBCommissioningMode.NwkFormation
        ),
        RspStatus=t.Status.SUCCESS,
        callback=c.ZDO.StateChangeInd.Callback(State=t.DeviceState.StartedAsCoordinator),
    )
    notify = await znp.request_callback_rsp(
        request=c.ZDO.MgmtNWKUpdateReq.Req(
            Dst=0x0000,
            DstAddrMode=t.AddrMode.NWK,
            Channels=t.Channels.from_channel_list([11, 26]),
            ScanDuration=1,
            ScanCount=1,
            NwkManagerAddr=0x0000,
        ),
        RspStatus=t.Status.SUCCESS,
        callback=c.ZDO.MgmtNWKUpdateNotify.Callback(partial=True, Src=0x0000),
        timeout=5,
    )
    assert list(notify.ScannedChannels) == [11, 26]
    assert list(notify.EnergyValues) == [77, 5]
