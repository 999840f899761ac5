"""The radio faults of issue 12 on a RaspBee/ConBee: the unmodified zigpy-deconz against the
deCONZ emulator on a pty (the rig of ``test_deconz_gateway.py``).

The same promises as on a ZNP stick: a command in flight at unplug answers 503/950, a
flap while connecting is over within 5 s of the final replug, malformed serial frames
cost only themselves, a light wrongly marked unreachable is probed back, and a killed
virtual ConBee comes back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from gateway.domain.radio import RadioState
from hil.child import RestartPolicy
from hil.emulators.deconz import slip
from hil.virtual_radio import VirtualRadio
from tests.helpers.waiting import until
from tests.zigbee.rig import FAST, Gateway, ieee
from tests.zigbee.test_deconz_gateway import deconz_rig

RECOVERY_BUDGET = 5.0
COMMAND_DEADLINE = 3.0


async def command_ok(rig, bri: int) -> float:
    started = time.monotonic()
    r = await rig.put_state(1, {"on": True, "bri": bri})
    assert r.status_code == 200 and "success" in r.json()[0], r.text
    assert all("success" in item for item in r.json()), r.text
    return time.monotonic() - started


async def test_a_command_in_flight_at_unplug_answers_503_error_950(tmp_path):
    async with deconz_rig(tmp_path, lights=1, paired=1) as rig:
        loop = asyncio.get_running_loop()

        def pull_the_stick(request) -> bool:
            if request.command.name == "aps_data_request":
                loop.call_soon(rig.emulator.unplug)
                return True
            return False

        waiting = asyncio.create_task(rig.emulator.wait_for_request(pull_the_stick, timeout=10))
        await asyncio.sleep(0)
        put = asyncio.create_task(rig.put_state(1, {"bri": 42}))
        await waiting
        r = await asyncio.wait_for(put, 30)
        assert r.status_code == 503, r.text
        assert r.json()[0]["error"]["type"] == 950, r.text


@pytest.mark.parametrize("gap", [0.3, 0.6, 1.0])
async def test_a_flap_while_connecting_is_over_within_5_s_of_the_final_replug(tmp_path, gap):
    async with deconz_rig(tmp_path, lights=1, paired=1) as rig:
        rig.emulator.unplug()
        await until(lambda: not rig.gw.supervisor.reachable, timeout=5)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.state is RadioState.CONNECTING, timeout=5)
        await asyncio.sleep(gap)
        rig.emulator.unplug()
        await asyncio.sleep(0.3)
        await rig.emulator.replug()
        replugged = time.monotonic()

        async def obeys() -> bool:
            r = await rig.put_state(1, {"on": True})
            return r.status_code == 200 and "success" in r.json()[0]

        await until(obeys, timeout=60, step=0.05)
        elapsed = time.monotonic() - replugged
        assert elapsed < RECOVERY_BUDGET, f"first command {elapsed:.1f} s after the final replug"


END, ESC = bytes([slip.END]), bytes([slip.ESC])
MALFORMED = {
    "truncated frame": END + bytes.fromhex("0e0a00"),  # no end byte: the next frame's ends it
    "bad checksum": END + bytes.fromhex("070b000800000000ffff") + END,
    "ends inside an escape": END + bytes.fromhex("0e0a0001") + ESC + END,
    "noise without an end byte": bytes(range(1, 192)) * 64,
}


@pytest.mark.parametrize("fault", list(MALFORMED))
async def test_a_malformed_frame_costs_only_itself(tmp_path, fault):
    async with deconz_rig(tmp_path, lights=1, paired=1) as rig:
        since = rig.gw.supervisor.running_since
        rig.emulator.port.write(MALFORMED[fault])
        assert await command_ok(rig, 100) < COMMAND_DEADLINE
        await until(lambda: rig.emu_value(1, 0x0008, "current_level") == 100, timeout=3)
        await asyncio.sleep(0.5)  # a restart triggered by the fault would show by now
        assert rig.gw.supervisor.running_since == since, "the radio was restarted"
        assert rig.gw.supervisor.state is RadioState.RUNNING


async def test_a_healthy_light_marked_unreachable_is_probed_back(tmp_path):
    async with deconz_rig(tmp_path, lights=1, paired=1) as rig:
        tasks = rig.gw.side.bridge._tasks
        await until(lambda: not any(t.get_name() == "lights-refresh" for t in tasks), timeout=10)
        device = rig.emulator.device(ieee(1))
        device.set_online(False)
        r = await rig.put_state(1, {"bri": 33})
        assert "error" in r.json()[0], r.text
        light = rig.gw.light_id(1)
        assert (await rig.gw.get(f"/lights/{light}"))["state"]["reachable"] is False
        device.online = True  # healthy again, silently

        async def reachable() -> bool:
            return bool((await rig.gw.get(f"/lights/{light}"))["state"]["reachable"])

        await until(reachable, timeout=8)


async def test_a_killed_virtual_conbee_is_started_again_and_the_radio_returns(tmp_path):
    radio = VirtualRadio(
        tmp_path / "radio", lights=1, fast=True, kind="deconz", restart=RestartPolicy(0.1, cap=0.5)
    )
    path = await radio.start()
    gateway = await Gateway(tmp_path, path, FAST, kind="deconz").start()
    try:
        await gateway.running(timeout=30)
        assert radio.pid is not None
        os.kill(radio.pid, signal.SIGKILL)
        await until(lambda: not gateway.supervisor.reachable, timeout=10)
        await until(lambda: radio.restarts == 1 and radio.running, timeout=20)
        await until(lambda: gateway.supervisor.state is RadioState.RUNNING, timeout=30)
    finally:
        await gateway.stop()
        await radio.stop()
