"""Fault injection: lamps losing power, the stick unplugged, replugged and reset."""

from __future__ import annotations

import os

import pytest
import zigpy.exceptions
import zigpy_znp.commands as c
import zigpy_znp.types as t

from .conftest import LIGHT_1, JoinedRig, JoinListener, Rig, eventually
from .rawhost import RawHost, encode


async def test_switched_off_light_fails_delivery_and_recovers_when_switched_on(
    joined: JoinedRig,
) -> None:
    emu, app = await joined()
    endpoint = app.get_device(ieee=LIGHT_1).endpoints[11]
    emu.set_online(LIGHT_1, False)
    with pytest.raises(zigpy.exceptions.DeliveryError) as failure:
        await endpoint.on_off.off()
    assert failure.value.status == t.Status.MAC_NO_ACK
    assert emu.device(LIGHT_1).endpoint.value(0x0006, "on_off") is True  # never arrived
    emu.set_online(LIGHT_1, True)
    await endpoint.on_off.off()
    assert emu.device(LIGHT_1).endpoint.value(0x0006, "on_off") is False


async def test_data_confirm_reports_mac_no_ack_for_an_absent_device(joined: JoinedRig) -> None:
    emu, app = await joined()
    endpoint = app.get_device(ieee=LIGHT_1).endpoints[11]
    emu.set_online(LIGHT_1, False)
    mark = emu.frame_mark()
    with pytest.raises(zigpy.exceptions.DeliveryError):
        await endpoint.on_off.on()
    confirms = [
        f.command for f in emu.frames(mark) if isinstance(f.command, c.AF.DataConfirm.Callback)
    ]
    assert confirms and all(cmd.Status == t.Status.MAC_NO_ACK for cmd in confirms)


async def test_powered_light_announces_itself_again(joined: JoinedRig) -> None:
    emu, _app = await joined()
    emu.set_online(LIGHT_1, False)
    mark = emu.frame_mark()
    emu.set_online(LIGHT_1, True)
    await eventually(
        lambda: any(
            isinstance(f.command, c.ZDO.EndDeviceAnnceInd.Callback) for f in emu.frames(mark)
        )
    )


async def test_unplug_makes_zigpy_lose_the_connection_and_the_link_vanish(rig: Rig) -> None:
    link = rig.tmp_path / "dev" / "zigbee"
    emu = await rig.emulator(link=link)
    app = await rig.app(emu)
    listener = JoinListener()
    app.add_listener(listener)
    assert os.path.realpath(link) == emu.pty_path
    old_pty = emu.pty_path
    emu.unplug()
    await eventually(lambda: bool(listener.lost))
    assert not os.path.lexists(link)
    assert old_pty is not None and not os.path.exists(old_pty)


async def test_replug_lets_a_new_application_resume_the_same_network(rig: Rig) -> None:
    link = rig.tmp_path / "zigbee"
    emu = await rig.emulator(link=link)
    app = await rig.app(emu)
    before = app.state.network_info
    emu.unplug()
    await app.shutdown()
    rig.apps.remove(app)
    path = await emu.replug()
    assert path == str(link) and os.path.realpath(link) == emu.pty_path
    again = await rig.app(emu)
    after = again.state.network_info
    assert (after.pan_id, after.extended_pan_id, after.channel) == (
        before.pan_id,
        before.extended_pan_id,
        before.channel,
    )
    assert emu.stack.stats.formations == 0


async def test_unplugged_stick_loses_running_state_but_keeps_nvram(rig: Rig) -> None:
    emu = await rig.emulator()
    app = await rig.app(emu)
    assert emu.stack.runtime.running
    emu.unplug()
    assert not emu.stack.runtime.running and emu.stack.runtime.endpoints == {}
    await app.shutdown()
    rig.apps.remove(app)
    await emu.replug()
    assert emu.network is not None  # NVRAM still holds the network


async def test_coordinator_reset_takes_the_network_down_until_restarted(joined: JoinedRig) -> None:
    emu, app = await joined()
    mark = emu.frame_mark()
    emu.reset()
    await eventually(lambda: not emu.stack.runtime.booting)
    (indication,) = [
        f.command for f in emu.frames(mark) if isinstance(f.command, c.SYS.ResetInd.Callback)
    ]
    assert indication.Reason == t.ResetReason.Watchdog
    assert emu.stack.air_network is None  # HOLD_AUTO_START: waits for the host
    with pytest.raises(zigpy.exceptions.DeliveryError):
        await app.get_device(ieee=LIGHT_1).endpoints[11].on_off.on()


async def test_frames_sent_while_no_host_is_connected_are_not_delivered_later(rig: Rig) -> None:
    emu = await rig.emulator()
    znp = await rig.znp(emu)
    await znp.disconnect()
    rig.znps.remove(znp)
    await eventually(lambda: not emu.port.host_connected)
    emu.reset()  # its SYS_RESET_IND goes nowhere, as on a UART nobody listens to
    await eventually(lambda: not emu.stack.runtime.booting)
    assert emu.path is not None
    raw = RawHost(emu.path)
    try:
        with pytest.raises(TimeoutError):
            await raw.command(timeout=0.1)
        raw.write(encode(c.SYS.Ping.Req()))
        assert isinstance(await raw.command(), c.SYS.Ping.Rsp)
    finally:
        raw.close()
