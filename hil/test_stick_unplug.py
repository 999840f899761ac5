"""Scenario 4: the Zigbee stick is unplugged and plugged in again while the gateway runs.

What a user sees on a Pi when the stick is pulled: the gateway keeps serving its API, shows
every light unreachable and answers light commands with 503 / error 950; once the stick is
back it reconnects by itself — no restart — and nothing it knew is lost. Virtual rig: the
emulator closes its pty and removes the link (the serial port disappears), then comes back
on a new pty behind the same link, as udev recreates ``/dev/zigbee``. Hardware: ``uhubctl``.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hil.api import Deconz, EventStream, error_types, success_items, until
from hil.conftest import pair
from hil.faults import StickPower
from hil.rig import Rig

pytestmark = pytest.mark.hil

RECOVERY_TIMEOUT = 30.0  # backoff cap 10 s; the supervisor also watches the port reappear


@pytest_asyncio.fixture
async def stick(rig: Rig, deconz: Deconz) -> AsyncIterator[StickPower]:
    """The stick's power switch, with the radio running; plugged in again afterwards."""
    power = rig.need(rig.zigbee.stick, rig.zigbee.missing_stick)
    await until(deconz.radio_up, timeout=60, what="the radio running before the unplug")
    try:
        yield power
    finally:
        if not await _plugged(rig):
            await power.replug()
        await until(deconz.radio_up, timeout=RECOVERY_TIMEOUT, what="the radio back (clean-up)")


async def _plugged(rig: Rig) -> bool:
    return os.path.exists(rig.zigbee.path)


async def _radio_down(deconz: Deconz) -> bool:
    return (await deconz.config())["rfconnected"] is False


async def test_while_the_stick_is_unplugged_the_api_answers_and_lights_read_unreachable(
    rig: Rig, stick: StickPower, paired: str, deconz: Deconz, events: EventStream
) -> None:
    light_id = await deconz.light_id(paired)
    mark = events.mark()
    await stick.unplug()
    await until(lambda: _radio_down(deconz), timeout=5, what="rfconnected: false")
    lights = await deconz.lights()
    assert lights, "the lights are still listed"
    assert all(light["state"]["reachable"] is False for light in lights.values()), lights
    await events.wait_for(
        lambda e: e.get("id") == light_id and e.get("state", {}).get("reachable") is False,
        timeout=5,
        since=mark,
    )
    started = time.monotonic()
    command = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert time.monotonic() - started < 1.0, "a command must fail at once, not wait for a radio"
    assert command.status_code == 503 and error_types(command.json()) == [950], command.text
    opened = await deconz.put("config", {"permitjoin": 60})
    assert opened.status_code == 503 and error_types(opened.json()) == [950], opened.text
    async with httpx.AsyncClient(base_url=rig.deconz_url, timeout=10) as http:
        assert (await http.get("/api/config")).status_code == 200

    async def status_not_running() -> str | None:  # what `systemctl status` shows
        latest = rig.process.latest_status()
        return None if f"zigbee {rig.zigbee.kind}: running" in latest else latest

    await until(status_not_running, timeout=5, what="STATUS= no longer saying the radio runs")


async def test_after_replug_the_radio_returns_by_itself_and_nothing_is_lost(
    rig: Rig, stick: StickPower, paired: str, apikey: str, deconz: Deconz
) -> None:
    gateway = rig.process
    pid, starts = gateway.pid, gateway.starts
    light_id = await deconz.light_id(paired)
    renamed = await deconz.put(f"lights/{light_id}", {"name": "hil unplug survivor"})
    assert renamed.status_code == 200, renamed.text
    before = await _inventory(deconz)

    await stick.unplug()
    await until(lambda: _radio_down(deconz), timeout=5, what="rfconnected: false")
    await stick.replug()
    await until(deconz.radio_up, timeout=RECOVERY_TIMEOUT, what="rfconnected: true after replug")

    async def obeys() -> httpx.Response | None:
        response = await deconz.put(f"lights/{light_id}/state", {"on": True})
        return response if success_items(response.json()) else None

    await until(obeys, timeout=RECOVERY_TIMEOUT, what="a light command succeeding after replug")
    assert gateway.running and gateway.pid == pid and gateway.starts == starts, "no restart"
    assert await _inventory(deconz) == before
    light = (await deconz.lights())[light_id]
    assert light["state"]["reachable"] is True and light["name"] == "hil unplug survivor"


async def _inventory(deconz: Deconz) -> dict[str, Any]:
    """What must survive: lights (id, name, uniqueid), the keys, the network's identity."""
    lights = await deconz.lights()
    config = await deconz.config()
    return {
        "lights": {i: (li["name"], li["uniqueid"]) for i, li in lights.items()},
        "keys": sorted(config["whitelist"]),
        "network": (config["panid"], config["zigbeechannel"], config["bridgeid"]),
        "name": config["name"],
    }


async def test_a_network_open_when_the_stick_was_unplugged_is_open_again_after_replug(
    rig: Rig, apikey: str, deconz: Deconz, stick: StickPower
) -> None:
    ieee = rig.need(rig.zigbee.join_light, rig.zigbee.missing_light)
    mains = rig.need(rig.zigbee.light_power, rig.zigbee.missing_light_power)
    await pair(rig, apikey, ieee)
    await deconz.put("config", {"permitjoin": 0})
    try:
        # A factory-new light, switched off so that it cannot join before the replug.
        deleted = await deconz.delete(f"lights/{await deconz.light_id(ieee)}", {"reset": True})
        assert deleted.status_code == 200, deleted.text
        await mains.set(ieee, False)
        opened = await deconz.put("config", {"permitjoin": 180})
        assert success_items(opened.json()) == {"/config/permitjoin": 180}, opened.text

        await stick.unplug()
        await until(lambda: _radio_down(deconz), timeout=5, what="rfconnected: false")
        await stick.replug()
        await until(deconz.radio_up, timeout=RECOVERY_TIMEOUT, what="rfconnected: true")
        assert (await deconz.config())["permitjoin"] > 0, "the countdown went on"
        await mains.set(ieee, True)  # powered up, a factory-new lamp looks for an open network

        async def joined() -> tuple[str, dict[str, Any]] | None:
            return await deconz.find_light(ieee)

        await until(joined, timeout=60, what=f"{ieee} joining the re-opened network")
    finally:
        await mains.set(ieee, True)
        await pair(rig, apikey, ieee, rescue=True)
        await deconz.put("config", {"permitjoin": 0})
