"""A RaspBee that resets keeps its UART open and answers everything, with its network
down: ``DeconzNetworkWatch`` on the gateway's RadioSupervisor notices and restarts the
application. Real peers: the supervisor's own zigpy-deconz against the deCONZ emulator
in RaspBee (UART) mode."""

from __future__ import annotations

import pytest

from gateway.domain.radio import RadioState
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.deconz_watch import DeconzNetworkWatch
from gateway.zigbee.radios import RadioConfig
from gateway.zigbee.supervisor import RadioSupervisor
from hil.emulators.deconz import DeconzConfig, DeconzEmulator, StickTiming
from hil.emulators.znp import Timing
from tests.helpers.waiting import until


@pytest.fixture
async def raspbee(tmp_path):
    emulator = DeconzEmulator(
        DeconzConfig(
            link=tmp_path / "ttyAMA0",
            state_file=tmp_path / "deconz.json",
            timing=Timing.fast(),
            stick_timing=StickTiming.fast(),
            usb=False,
            seed=3,
        )
    )
    await emulator.start()
    yield emulator
    await emulator.stop()


def supervisor_for(emulator: DeconzEmulator, tmp_path, kind: str = "deconz") -> RadioSupervisor:
    config = RadioConfig(kind, emulator.path or "", tmp_path / "zigbee.db", tmp_path / "backups")
    return RadioSupervisor(config, backoff=Backoff(initial=0.05, cap=0.3))


async def test_a_raspbee_reset_is_noticed_and_the_network_restarted(raspbee, tmp_path):
    supervisor = supervisor_for(raspbee, tmp_path)
    watch = DeconzNetworkWatch(supervisor, interval=0.1)
    watch.install()
    states: list[RadioState] = []
    supervisor.add_state_listener(lambda old, new: states.append(new))
    supervisor.start()
    try:
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=20)
        assert raspbee.firmware.runtime.connected
        states.clear()
        raspbee.reset("watchdog")
        assert raspbee.port.is_open  # a UART: no re-enumeration, no connection loss
        await until(lambda: watch.restarts == 1, timeout=10)
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=20)
        await until(lambda: raspbee.firmware.runtime.connected, timeout=10)
        assert RadioState.LOST in states
    finally:
        await supervisor.stop()


async def test_without_the_watch_the_reset_goes_unnoticed(raspbee, tmp_path):
    """Guards the test above: the watch is what notices it."""
    supervisor = supervisor_for(raspbee, tmp_path)
    supervisor.start()
    try:
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=20)
        raspbee.reset("watchdog")
        with pytest.raises(AssertionError):
            await until(lambda: raspbee.firmware.runtime.connected, timeout=1.5)
        assert supervisor.state is RadioState.RUNNING  # still believes all is well
    finally:
        await supervisor.stop()


async def test_an_offline_network_during_a_busy_operation_is_left_alone(raspbee, tmp_path):
    supervisor = supervisor_for(raspbee, tmp_path)
    watch = DeconzNetworkWatch(supervisor, interval=0.05)
    watch.install()
    supervisor.start()
    try:
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=20)
        async with supervisor.exclusive("test") as app:
            await app._api.change_network_state(0)  # OFFLINE on purpose
            await until(lambda: not raspbee.firmware.runtime.connected, timeout=5)
            with pytest.raises(AssertionError):
                await until(lambda: watch.restarts > 0, timeout=0.5)
            await app._api.change_network_state(2)  # CONNECTED again
        assert watch.restarts == 0
    finally:
        await supervisor.stop()


def test_the_watch_installs_nothing_for_a_znp_radio(tmp_path):
    config = RadioConfig("znp", "/dev/null", tmp_path / "z.db", tmp_path / "b")
    supervisor = RadioSupervisor(config)
    DeconzNetworkWatch(supervisor).install()
    assert supervisor.hooks.empty
