"""Unplug/replug, resets and the watchdog: what zigpy-deconz sees when the stick fails."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import zigpy.config as zconf
from zigpy_deconz.api import NetworkParameter, NetworkState
from zigpy_deconz.zigbee.application import ControllerApplication

from .conftest import LIGHT_1, ApiListener, JoinListener, Rig, app_config, eventually, join_all

ON_OFF = 0x0006


async def test_unplug_makes_zigpy_lose_the_connection_and_the_link_vanish(rig: Rig) -> None:
    link = rig.tmp_path / "dev" / "conbee"
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


async def test_twenty_unplug_replug_cycles_zigpy_reconnects_and_the_lamp_obeys(
    rig: Rig, tmp_path: Path
) -> None:
    link = tmp_path / "conbee"
    emu = await rig.emulator(link=link, lights=1)
    config = {**app_config(str(link)), zconf.CONF_DATABASE: str(tmp_path / "zigbee.db")}
    app = await ControllerApplication.new(config, auto_form=True)
    await join_all(app, 1)
    network = app.state.network_info
    for cycle in range(20):
        listener = JoinListener()
        app.add_listener(listener)
        emu.unplug()
        lost = listener.lost
        await eventually(lambda: bool(lost))  # noqa: B023 - awaited within the iteration
        await app.shutdown()
        assert await emu.replug() == str(link)
        app = await ControllerApplication.new(config, auto_form=True)
        info = app.state.network_info
        assert (info.pan_id, info.extended_pan_id, info.channel) == (
            network.pan_id,
            network.extended_pan_id,
            network.channel,
        ), f"cycle {cycle}"
    try:
        lamp = app.get_device(ieee=LIGHT_1).endpoints[11]
        await lamp.on_off.off()
        assert emu.device(LIGHT_1).endpoint.value(ON_OFF, "on_off") is False
        assert emu.firmware.stats.formations == 0
    finally:
        await app.shutdown()


async def test_reset_re_enumerates_the_usb_port_and_comes_back_offline(rig: Rig) -> None:
    link = rig.tmp_path / "conbee"
    emu = await rig.emulator(link=link)
    app = await rig.app(emu)
    listener = JoinListener()
    app.add_listener(listener)
    emu.reset("external")
    await eventually(lambda: bool(listener.lost))  # the ConBee's USB device went away
    await eventually(lambda: emu.port.is_open)
    assert os.path.realpath(link) == emu.pty_path  # a new tty (the kernel may reuse its number)
    assert any("back after reset" in e for e in emu.state()["events"])
    assert emu.state()["stick"]["network_state"] == "OFFLINE"
    assert emu.firmware.air_network is None  # lamps cannot reach it until restarted
    await app.shutdown()
    rig.apps.remove(app)
    again = await rig.app(emu)  # zigpy-deconz starts the network again
    assert again.state.network_info.channel == emu.firmware.config.network.channel  # type: ignore[union-attr]
    assert emu.state()["stick"]["network_state"] == "CONNECTED"


async def test_zigpy_deconz_arms_the_watchdog_at_start_up(rig: Rig) -> None:
    emu = await rig.emulator()
    await rig.app(emu)
    # zigpy feeds it every 30 s with twice that as TTL.
    assert 30 <= emu.firmware.watchdog_remaining() <= 60


async def test_watchdog_lapse_resets_the_stick_and_the_host_sees_it(rig: Rig) -> None:
    emu = await rig.emulator()
    listener = ApiListener()
    api = await rig.api(emu, listener)
    await api.change_network_state(NetworkState.CONNECTED)
    await api.write_parameter(NetworkParameter.watchdog_ttl, 1)
    assert emu.firmware.stats.watchdog_resets == 0
    await eventually(lambda: bool(listener.lost), timeout=10)  # no feed: reset after ~1 s
    assert emu.firmware.stats.watchdog_resets == 1
    assert any("watchdog TTL lapsed" in e for e in emu.state()["events"])
    await eventually(lambda: emu.port.is_open)
    assert emu.state()["stick"]["network_state"] == "OFFLINE"


async def test_fed_watchdog_does_not_reset_the_stick(rig: Rig) -> None:
    emu = await rig.emulator()
    listener = ApiListener()
    api = await rig.api(emu, listener)
    loop = asyncio.get_running_loop()
    until = loop.time() + 4.5  # more than twice the TTL
    while loop.time() < until:
        await api.write_parameter(NetworkParameter.watchdog_ttl, 2)
        await asyncio.sleep(0.3)
    assert emu.firmware.stats.watchdog_resets == 0 and listener.lost == []
    assert 1 <= emu.firmware.watchdog_remaining() <= 2
    await api.write_parameter(NetworkParameter.watchdog_ttl, 0)  # disarmed
    await asyncio.sleep(2.5)
    assert emu.firmware.stats.watchdog_resets == 0 and listener.lost == []


async def test_a_raspbee_reset_keeps_the_port_and_reports_offline(rig: Rig) -> None:
    """On a UART there is no re-enumeration: the host hears OFFLINE from the stick."""
    emu = await rig.emulator(usb=False)
    listener = ApiListener()
    api = await rig.api(emu, listener)
    await api.change_network_state(NetworkState.CONNECTED)
    await eventually(lambda: api.network_state == NetworkState.CONNECTED)
    emu.reset("watchdog")
    await eventually(lambda: api.network_state == NetworkState.OFFLINE)
    assert listener.lost == []
    assert await api.read_parameter(NetworkParameter.current_channel) == 15  # still answers
