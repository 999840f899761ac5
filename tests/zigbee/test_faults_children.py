"""The virtual rig's emulator children come back after being killed, like real hardware.

A SIGKILLed ZNP emulator is started again (same link, same state file): zigpy-znp sees a
stick that was unplugged and plugged in again and the gateway's radio returns by itself.
A killed KNX emulator comes back on the same UDP port, where the gateway's tunnel points.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time

import pytest

from gateway.domain.radio import RadioState
from hil.child import EmulatorChild, RestartPolicy
from hil.virtual_knx import VirtualKnx
from hil.virtual_radio import VirtualRadio
from tests.zigbee.rig import FAST, Gateway, until

QUICK = RestartPolicy(initial=0.1, cap=0.5)


async def test_a_killed_znp_emulator_is_started_again_behind_the_same_link(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=1, fast=True, restart=QUICK)
    path = await radio.start()
    try:
        first = radio.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        await until(lambda: radio.restarts == 1 and radio.running, timeout=15)
        assert radio.pid != first
        await until(lambda: os.path.exists(path), timeout=5)
        assert await radio.command("ping") == "pong"
    finally:
        await radio.stop()
    assert not radio.running


@pytest.mark.parametrize("kind", ["znp", "deconz"])
async def test_a_killed_emulators_link_goes_at_once_not_pointing_at_a_free_pty(tmp_path, kind):
    """A dead stick has no device node: its pty number is free, the kernel gives it to
    the next pty anyone opens, and a link left behind made the gateway open that one (a
    soak's stick, held 2.6-10 s while the soak's own radio could not get it)."""
    radio = VirtualRadio(tmp_path / "radio", lights=1, fast=True, restart=QUICK, kind=kind)
    path = await radio.start()
    try:
        assert radio.pid is not None
        os.kill(radio.pid, signal.SIGKILL)
        await until(lambda: not os.path.lexists(path), timeout=1.5)
        assert radio.restarts == 0, "gone before the new child, not replaced by it"
        await until(lambda: radio.restarts == 1 and os.path.exists(path), timeout=15)
    finally:
        await radio.stop()
    assert not os.path.lexists(path)


async def test_the_gateway_radio_returns_after_its_emulator_was_killed(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=2, fast=True, restart=QUICK)
    path = await radio.start()
    gateway = await Gateway(tmp_path, path, FAST).start()
    try:
        await gateway.running()
        await gateway.pair(2)
        light = next(iter(await gateway.get("/lights")))
        assert radio.pid is not None
        os.kill(radio.pid, signal.SIGKILL)
        await until(lambda: not gateway.supervisor.reachable, timeout=10)
        killed = time.monotonic()
        await until(lambda: gateway.supervisor.state is RadioState.RUNNING, timeout=20)

        async def obeys() -> bool:
            r = await gateway.http.put(gateway.url(f"/lights/{light}/state"), json={"on": True})
            return r.status_code == 200 and "success" in r.json()[0]

        await until(obeys, timeout=10)
        assert time.monotonic() - killed < 15
        assert radio.restarts == 1
    finally:
        await gateway.stop()
        await radio.stop()


def _udp_port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


async def test_a_killed_knx_emulator_comes_back_on_the_same_port():
    knx = VirtualKnx(restart=QUICK)
    port = await knx.start()
    try:
        assert knx.pid is not None
        os.kill(knx.pid, signal.SIGKILL)
        await until(lambda: knx.restarts == 1 and knx.running, timeout=15)
        assert knx.port == port
        await until(lambda: _udp_port_taken(port), timeout=5)
    finally:
        await knx.stop()


async def test_stopping_during_the_restart_backoff_leaves_no_child(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=0, fast=True, restart=RestartPolicy(2, 2, 2))
    await radio.start()
    assert radio.pid is not None
    os.kill(radio.pid, signal.SIGKILL)
    await asyncio.sleep(0.5)  # the exit is noticed; the restart waits its 2 s
    await radio.stop()
    await asyncio.sleep(2.5)
    assert radio.restarts == 0 and not radio.running


async def test_a_child_that_keeps_dying_is_restarted_with_growing_delays():
    script = "print('ready', flush=True); import time; time.sleep(0.05)"
    child = EmulatorChild(
        "short-lived",
        [sys.executable, "-c", script],
        re.compile("^ready"),
        start_timeout=10,
        stop_timeout=2,
        restart=QUICK,
    )
    started = time.monotonic()
    await child.start()
    try:
        await until(lambda: child.restarts >= 3, timeout=20)
        # Three restarts waited 0.1 + 0.2 + 0.4 s at least: the delays grow.
        assert time.monotonic() - started >= 0.7
    finally:
        await child.stop()
    assert not child.running


async def test_without_a_policy_a_killed_child_stays_gone(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=0, fast=True, restart=None)
    await radio.start()
    try:
        assert radio.pid is not None
        os.kill(radio.pid, signal.SIGKILL)
        await until(lambda: not radio.running, timeout=5)
        await asyncio.sleep(0.5)
        assert radio.restarts == 0 and not radio.running
    finally:
        await radio.stop()
