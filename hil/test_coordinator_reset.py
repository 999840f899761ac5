"""The coordinator resets itself (watchdog, brown-out) while staying plugged in.

A Z-Stack stick that reboots comes back with its network stopped and its endpoints
forgotten, yet it still answers pings, so neither the serial port nor zigpy's watchdog
notices. The gateway must see the ``SYS_RESET_IND`` and restart the network by itself; if it
did not, every light command would fail from then on. A ConBee II that resets
re-enumerates on USB: its port vanishes and comes back as a new tty, so the gateway sees
the connection fail and must come back by itself without a restart. Only the virtual rig
can cause such a reset on purpose (the emulator's ``reset``); a real stick is not reset
without cutting its power, which is the unplug scenario.
"""

from __future__ import annotations

import os

import httpx
import pytest

from hil.api import Deconz, success_items, until
from hil.rig import Rig

pytestmark = pytest.mark.hil

RECOVERY_TIMEOUT = 30.0


@pytest.fixture
def resettable(rig: Rig) -> None:
    rig.need(True if rig.zigbee.can_reset_coordinator else None, rig.zigbee.missing_reset)


async def test_a_coordinator_that_reset_itself_is_restarted_and_lights_obey_again(
    rig: Rig, resettable: None, paired: str, deconz: Deconz
) -> None:
    await until(deconz.radio_up, timeout=60, what="the radio running")
    light_id = await deconz.light_id(paired)
    gateway = rig.process
    pid, log_mark = gateway.pid, gateway.log_size()
    lights_before = {i: li["uniqueid"] for i, li in (await deconz.lights()).items()}
    assert await rig.zigbee.reset_coordinator()

    gateway.wait_for_log(rig.zigbee.reset_log, timeout=10, since=log_mark)

    async def obeys() -> httpx.Response | None:
        response = await deconz.put(f"lights/{light_id}/state", {"on": True})
        return response if success_items(response.json()) else None

    await until(obeys, timeout=RECOVERY_TIMEOUT, step=0.25, what="a light command succeeding")
    config = await until(deconz.radio_up, timeout=5, what="rfconnected: true")
    network = await rig.zigbee.radio_network()
    assert network == (config["zigbeechannel"], config["panid"]), "the same network runs again"
    assert {i: li["uniqueid"] for i, li in (await deconz.lights()).items()} == lights_before
    assert gateway.pid == pid, "no restart of the gateway"


async def test_a_raspbee_whose_network_went_down_under_an_open_port_is_restarted(
    rig: Rig, paired: str, deconz: Deconz
) -> None:
    """A RaspBee on the Pi's UART that resets keeps its port: zigpy-deconz sees no lost
    connection and records the OFFLINE state without acting on it, so only the gateway's
    DeconzNetworkWatch can bring the network back."""
    if rig.zigbee.kind != "deconz":
        pytest.skip("a RaspBee's reset is a deCONZ stick's; a Z-Stack's is the scenario above")
    if not rig.zigbee.virtual:
        rig.need(None, rig.zigbee.missing_reset)
    await until(deconz.radio_up, timeout=60, what="the radio running")
    light_id = await deconz.light_id(paired)
    gateway = rig.process
    pid, log_mark = gateway.pid, gateway.log_size()
    pty = os.readlink(rig.zigbee.path)
    assert await rig.zigbee.reset_coordinator_keeping_port()

    # The watch asks the stick every 3 s (gateway/zigbee/deconz_watch.py).
    gateway.wait_for_log(r"event=zigbee_network_offline", timeout=15, since=log_mark)

    async def obeys() -> httpx.Response | None:
        response = await deconz.put(f"lights/{light_id}/state", {"on": True})
        return response if success_items(response.json()) else None

    await until(obeys, timeout=RECOVERY_TIMEOUT, step=0.25, what="a light command succeeding")
    assert os.readlink(rig.zigbee.path) == pty, "the port stayed: a RaspBee's reset, not an unplug"
    assert gateway.pid == pid, "no restart of the gateway"
