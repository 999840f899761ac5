"""Forming and restoring a network: the unmodified zigpy-deconz against the emulator."""

from __future__ import annotations

from pathlib import Path

import zigpy.config as zconf
import zigpy.types as zt
from zigpy_deconz.zigbee.application import ControllerApplication

from hil.emulators.deconz import DeconzEmulator

from .conftest import FORMED_CHANNEL, STICK_IEEE, Rig, app_config, fast_config, start_app


async def test_zigpy_deconz_forms_a_network_on_a_factory_new_stick(tmp_path: Path) -> None:
    emu = DeconzEmulator(fast_config(state_file=tmp_path / "s.json", ieee=STICK_IEEE))
    path = await emu.start()
    try:
        app = await start_app(path, channel=20)
        try:
            info = app.state.network_info
            assert info.channel == 20
            assert app.state.node_info.ieee == zt.EUI64.convert(STICK_IEEE)
            formed = emu.firmware.config.network
            assert formed is not None
            assert (formed.channel, formed.pan_id, formed.extended_pan_id) == (
                20,
                info.pan_id,
                info.extended_pan_id,
            )
            assert emu.firmware.config.network_key == info.network_key.key
            assert emu.firmware.stats.formations == 1
            assert emu.state()["stick"]["network_state"] == "CONNECTED"
        finally:
            await app.shutdown()
    finally:
        await emu.stop()


async def test_restarted_emulator_resumes_the_same_network_from_its_state_file(rig: Rig) -> None:
    emu = await rig.emulator()
    app = await rig.app(emu)
    before = app.state.network_info
    assert before.channel == FORMED_CHANNEL
    await app.shutdown()
    rig.apps.remove(app)
    await emu.stop()
    rig.emulators.remove(emu)

    again = await rig.emulator(state_file=emu.config.state_file)
    app2 = await rig.app(again)
    after = app2.state.network_info
    assert (after.pan_id, after.extended_pan_id, after.channel, after.network_key.key) == (
        before.pan_id,
        before.extended_pan_id,
        before.channel,
        before.network_key.key,
    )
    assert again.firmware.stats.formations == 0
    assert after.network_key.tx_counter >= before.network_key.tx_counter


async def test_zigpy_backup_restores_the_network_onto_a_factory_new_stick(
    rig: Rig, tmp_path: Path
) -> None:
    """A replacement stick: zigpy finds it unformed and writes the backup into it."""
    config = {**app_config(""), zconf.CONF_DATABASE: str(tmp_path / "zigbee.db")}
    old = await rig.emulator()
    app = await ControllerApplication.new(
        {**config, zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: old.path}}, auto_form=True
    )
    backup = await app.backups.create_backup(load_devices=True)
    await app.shutdown()
    old.unplug()

    new = await rig.emulator(formed=False, ieee="00:21:2e:ff:ff:00:00:99")
    assert new.firmware.config.network is None
    app = await ControllerApplication.new(
        {**config, zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: new.path}}, auto_form=True
    )
    try:
        info = app.state.network_info
        formed = new.firmware.config.network
        assert formed is not None
        assert (formed.pan_id, formed.extended_pan_id, formed.channel) == (
            backup.network_info.pan_id,
            backup.network_info.extended_pan_id,
            backup.network_info.channel,
        )
        assert new.firmware.config.network_key == backup.network_info.network_key.key
        # The frame counter moves on past the old stick's, as zigpy asks.
        assert new.firmware.config.frame_counter >= backup.network_info.network_key.tx_counter
        assert info.pan_id == backup.network_info.pan_id
    finally:
        await app.shutdown()
