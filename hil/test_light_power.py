"""Scenario 5: a light loses mains power, then gets it back.

A lamp without power does not acknowledge: the command answers error 202 ("Device not
reachable", HTTP 200 as deCONZ does) and the light reads ``reachable: false``. Powered again,
a Zigbee 3.0 lamp announces itself, and the gateway shows it reachable and sends to it again.
Virtual rig: the emulator's ``device_off``/``device_on``; hardware: ``GATEWAY_HIL_LIGHT_POWER``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from hil.api import Deconz, EventStream, error_types, success_items, until
from hil.faults import LightPower
from hil.rig import Rig

pytestmark = pytest.mark.hil

POWER_UP_TIMEOUT = 15.0  # a real lamp boots and announces itself within a few seconds


@pytest_asyncio.fixture
async def mains(rig: Rig, deconz: Deconz) -> AsyncIterator[LightPower]:
    """The light's mains switch; the light is powered and reachable again afterwards."""
    power = rig.need(rig.zigbee.light_power, rig.zigbee.missing_light_power)
    await until(deconz.radio_up, timeout=60, what="the radio running")
    try:
        yield power
    finally:
        ieee = rig.zigbee.light
        found = await deconz.find_light(ieee) if ieee is not None else None
        if ieee is not None and found is not None:
            await power.set(ieee, True)
            await until(
                lambda: _reachable(deconz, found[0]), timeout=POWER_UP_TIMEOUT, what="reachable"
            )


async def _reachable(deconz: Deconz, light_id: str) -> bool:
    return bool((await deconz.get(f"lights/{light_id}"))["state"]["reachable"])


async def test_a_light_without_mains_power_answers_202_and_reads_unreachable(
    mains: LightPower, paired: str, deconz: Deconz, events: EventStream
) -> None:
    light_id = await deconz.light_id(paired)
    mark = events.mark()
    await mains.set(paired, False)
    response = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert response.status_code == 200, "deCONZ answers 'not reachable' with HTTP 200"
    assert error_types(response.json()) == [202], response.text
    assert not await _reachable(deconz, light_id)
    await events.wait_for(
        lambda e: e.get("id") == light_id and e.get("state", {}).get("reachable") is False,
        timeout=5,
        since=mark,
    )
    started = time.monotonic()
    again = await deconz.put(f"lights/{light_id}/state", {"on": False})
    assert error_types(again.json()) == [202], again.text
    assert time.monotonic() - started < 0.5, "a light known unreachable is answered at once"


async def test_a_light_powered_again_reads_reachable_and_obeys(
    mains: LightPower, paired: str, deconz: Deconz
) -> None:
    light_id = await deconz.light_id(paired)
    await mains.set(paired, False)
    refused = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert error_types(refused.json()) == [202], refused.text
    await mains.set(paired, True)
    await until(
        lambda: _reachable(deconz, light_id), timeout=POWER_UP_TIMEOUT, what="reachable: true"
    )
    response = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/on": True}
