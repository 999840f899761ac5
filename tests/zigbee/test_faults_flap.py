"""The stick goes away again while the supervisor is still connecting to it.

Replug, unplug 0.3-1.0 s later (the supervisor is in the middle of starting zigpy), replug
for good: the first light command must succeed well within 5 s of the final replug,
every time — the supervisor notices the second loss while connecting instead of waiting
for zigpy's request timeouts and watchdog.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import zigpy_znp.commands as mt

from gateway.domain.radio import RadioState
from tests.zigbee.rig import until, zigbee_rig

RECOVERY_BUDGET = 5.0


async def first_command_after(rig, started: float, timeout: float = 30.0) -> float:
    """Seconds from ``started`` until a light command succeeds."""
    light = rig.gw.light_id(1)

    async def obeys() -> bool:
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": True})
        return r.status_code == 200 and "success" in r.json()[0]

    await until(obeys, timeout=timeout, step=0.05)
    return time.monotonic() - started


@pytest.mark.parametrize("gap", [0.3, 0.45, 0.6, 1.0])
async def test_a_stick_lost_again_while_connecting_is_back_within_5_s_of_the_final_replug(
    paired, gap
):
    async with zigbee_rig(paired) as rig:
        rig.emulator.unplug()
        await until(lambda: not rig.gw.supervisor.reachable, timeout=5)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.state is RadioState.CONNECTING, timeout=5)
        await asyncio.sleep(gap)
        rig.emulator.unplug()
        await asyncio.sleep(0.3)
        await rig.emulator.replug()
        elapsed = await first_command_after(rig, time.monotonic())
        assert elapsed < RECOVERY_BUDGET, f"first command {elapsed:.1f} s after the final replug"


async def test_a_stick_pulled_and_back_within_a_poll_interval_while_probing_is_noticed(paired):
    """Pulled as zigpy-znp's first ping arrives and plugged in again at once: the link is
    back at the same path before any look at it, so only the failed port tells."""
    async with zigbee_rig(paired) as rig:
        loop = asyncio.get_running_loop()
        emulator = rig.emulator
        emulator.unplug()
        await until(lambda: not rig.gw.supervisor.reachable, timeout=5)

        replugs: list[asyncio.Task] = []

        def flap() -> None:
            emulator.unplug()
            replugs.append(loop.create_task(emulator.replug()))

        def first_ping(command) -> bool:
            if isinstance(command, mt.SYS.Ping.Req):
                loop.call_soon(flap)
                return True
            return False

        waiting = asyncio.create_task(emulator.wait_for_frame(first_ping, timeout=10))
        await asyncio.sleep(0)
        await emulator.replug()
        await waiting
        await until(lambda: replugs and replugs[0].done(), timeout=5)
        elapsed = await first_command_after(rig, time.monotonic())
        assert elapsed < RECOVERY_BUDGET, f"first command {elapsed:.1f} s after the replug"


async def test_the_supervisor_gives_up_a_connection_attempt_when_the_port_vanishes(paired):
    async with zigbee_rig(paired) as rig:
        rig.emulator.unplug()
        await until(lambda: not rig.gw.supervisor.reachable, timeout=5)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.state is RadioState.CONNECTING, timeout=5)
        rig.emulator.unplug()
        started = time.monotonic()
        await until(lambda: rig.gw.supervisor.state is RadioState.LOST, timeout=5)
        assert time.monotonic() - started < 2.0
        await rig.emulator.replug()
        await rig.gw.running()


# -- the supervisor's connection watch, against a scripted zigpy application ------------------


def scripted_supervisor(tmp_path, script, port):
    from gateway.zigbee.backoff import Backoff
    from gateway.zigbee.radios import RadioConfig
    from gateway.zigbee.supervisor import RadioSupervisor
    from tests.zigbee.fake_app import FakeApp

    cfg = RadioConfig("znp", str(port), tmp_path / "zigbee.db", tmp_path / "backups")
    return RadioSupervisor(
        cfg, app_class=FakeApp.bound(script), backoff=Backoff(initial=5.0, cap=5.0)
    )


@pytest.fixture
def script():
    from tests.zigbee.fake_app import Script

    return Script(startup_delay=30.0)  # a start-up that would run into zigpy's time-outs


async def test_a_loss_reported_by_zigpy_while_connecting_abandons_the_attempt_at_once(
    tmp_path, script
):
    port = tmp_path / "ttyZNP"
    port.touch()
    sup = scripted_supervisor(tmp_path, script, port)
    sup.start()
    try:
        await until(lambda: script.apps and sup.state is RadioState.CONNECTING, timeout=5)
        script.apps[0].lose()
        await until(lambda: sup.state is RadioState.LOST, timeout=1)
        assert script.apps[0].shutdowns == [True]
    finally:
        await sup.stop()


async def test_a_port_that_vanishes_while_connecting_abandons_the_attempt_and_its_return_retries(
    tmp_path, script
):
    port = tmp_path / "ttyZNP"
    port.touch()
    sup = scripted_supervisor(tmp_path, script, port)
    sup.start()
    try:
        await until(lambda: sup.state is RadioState.CONNECTING, timeout=5)
        port.unlink()
        await until(lambda: sup.state is RadioState.LOST, timeout=1)
        script.startup_delay = 0.0
        port.touch()  # plugged in again: tried at once, not after the 5 s backoff
        await until(lambda: sup.state is RadioState.RUNNING, timeout=2)
    finally:
        await sup.stop()


async def test_stopping_while_a_start_up_hangs_is_prompt(tmp_path, script):
    port = tmp_path / "ttyZNP"
    port.touch()
    sup = scripted_supervisor(tmp_path, script, port)
    sup.start()
    await until(lambda: sup.state is RadioState.CONNECTING, timeout=5)
    started = time.monotonic()
    await sup.stop()
    assert time.monotonic() - started < 2.0
    assert sup.state is RadioState.STOPPED
