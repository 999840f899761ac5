"""Channel change, energy scan and the firmware version, as zigpy-deconz does them."""

from __future__ import annotations

import zigpy.types as zt

from .conftest import LIGHT_1, JoinedRig, Rig, eventually

ON_OFF = 0x0006


async def test_channel_change_moves_the_stick_and_its_lamps(joined: JoinedRig) -> None:
    emu, app = await joined()
    update_id = app.state.network_info.nwk_update_id
    await app.move_network_to_channel(20, num_broadcasts=1)
    assert app.state.network_info.channel == 20
    assert app.state.network_info.nwk_update_id == (update_id + 1) % 0xFF
    formed = emu.firmware.config.network
    assert formed is not None and formed.channel == 20
    assert formed.pan_id == app.state.network_info.pan_id  # same network, new channel
    await eventually(lambda: emu.device(LIGHT_1).channel == 20)
    lamp = app.get_device(ieee=LIGHT_1).endpoints[11]
    await lamp.on_off.off()
    assert emu.device(LIGHT_1).endpoint.value(ON_OFF, "on_off") is False
    assert emu.firmware.stats.formations == 0


async def test_energy_scan_answers_through_the_coordinator_zdo(rig: Rig) -> None:
    emu = await rig.emulator(channel_energy={11: 240, 25: 30})
    app = await rig.app(emu)
    energy = await app.energy_scan(
        channels=zt.Channels.from_channel_list([11, 15, 25]),  # type: ignore[misc]
        duration_exp=2,
        count=1,
    )
    # ConBee II reports 0..85; zigpy-deconz scales by 3.
    assert energy == {11: 240, 15: emu.firmware.energy(15) // 3 * 3, 25: 30}


async def test_firmware_version_reaches_zigpy_deconz(rig: Rig) -> None:
    emu = await rig.emulator()
    app = await rig.app(emu)
    assert int(app._api.firmware_version) == int(emu.firmware.version) == 0x26780700
    assert app.state.node_info.version == "0x26780700"
    assert app.state.node_info.model == "Conbee II"  # zigpy-deconz's spelling
    assert app.state.node_info.manufacturer == "dresden elektronik"
    assert emu.state()["stick"]["firmware_version"] == "0x26780700"
