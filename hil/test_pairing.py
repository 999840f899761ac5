"""Scenario 2: an app gets a key, and a factory-new light joins through the open network.

The joining light is made factory new the way a user of a deCONZ app does it: ``DELETE
/lights/<id>`` with ``{"reset": true}`` sends it a ZDO leave request, and a Zigbee 3.0 lamp
that leaves resets itself and searches for an open network. On the virtual rig the lamp is
the emulator's colour-temperature lamp; on hardware ``GATEWAY_HIL_JOIN_LIGHT`` (default
``GATEWAY_HIL_LIGHT``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hil.api import Deconz, error_types, success_items, until
from hil.conftest import pair
from hil.rig import Rig

pytestmark = pytest.mark.hil

JOIN_TIMEOUT = 60.0  # deCONZ and Hue search for a minute


def _uniqueid_pattern(ieee: str) -> str:
    return re.escape(ieee.upper()) + r"-[0-9A-F]{2}"


@pytest_asyncio.fixture
async def factory_new_light(rig: Rig, apikey: str, deconz: Deconz) -> AsyncIterator[str]:
    """The join light, paired first if needed, then deleted with a leave request: factory
    new and unknown to the gateway. The network is closed again afterwards."""
    ieee = rig.need(rig.zigbee.join_light, rig.zigbee.missing_light)
    await pair(rig, apikey, ieee)
    # Closed before the reset: the scenario opens it, and the light must join then.
    closed = await deconz.put("config", {"permitjoin": 0})
    assert closed.status_code == 200, closed.text
    light_id = await deconz.light_id(ieee)
    response = await deconz.delete(f"lights/{light_id}", {"reset": True})
    assert response.status_code == 200, response.text

    async def gone() -> bool:
        return await deconz.find_light(ieee) is None

    await until(gone, timeout=5, what="the deleted light to leave GET /lights")
    if await rig.zigbee.factory_new(ieee) is not None:
        await until(
            lambda: rig.zigbee.factory_new(ieee), timeout=10, what=f"{ieee} back to factory new"
        )
    try:
        yield ieee
    finally:
        # Whatever happened, the next scenario finds it paired and the network closed.
        await pair(rig, apikey, ieee, rescue=True)
        await deconz.put("config", {"permitjoin": 0})


async def test_an_app_gets_a_key_only_while_the_gateway_is_unlocked(
    rig: Rig, deconz: Deconz
) -> None:
    body = {"devicetype": "hil#unlocked-app"}
    async with httpx.AsyncClient(base_url=rig.deconz_url, timeout=10) as http:
        locked = await http.post("/api", json=body)
        assert locked.status_code == 403 and error_types(locked.json()) == [101], locked.text
        unlocked = await deconz.put("config", {"unlock": 60})
        assert success_items(unlocked.json()) == {"/config/unlock": 60}, unlocked.text
        try:
            created = await http.post("/api", json=body)
        finally:
            await deconz.put("config", {"unlock": 0})
        assert created.status_code == 200, created.text
        key = created.json()[0]["success"]["username"]
        config = await http.get(f"/api/{key}/config")
    assert config.status_code == 200
    names = [entry["name"] for entry in config.json()["whitelist"].values()]
    assert "hil#unlocked-app" in names


async def test_permitjoin_lets_a_factory_new_light_join_with_its_type_and_uniqueid(
    rig: Rig, deconz: Deconz, factory_new_light: str
) -> None:
    ieee = factory_new_light
    before = set(await deconz.lights())
    opened = await deconz.put("config", {"permitjoin": 60})
    assert success_items(opened.json()) == {"/config/permitjoin": 60}, opened.text
    assert 0 < (await deconz.config())["permitjoin"] <= 60

    async def joined() -> tuple[str, dict[str, Any]] | None:
        return await deconz.find_light(ieee)

    light_id, light = await until(joined, timeout=JOIN_TIMEOUT, what=f"{ieee} in GET /lights")
    assert light_id not in before, "a joining light gets a new id"
    assert re.fullmatch(_uniqueid_pattern(ieee), light["uniqueid"]), light
    if rig.zigbee.join_light_type is not None:
        assert light["type"] == rig.zigbee.join_light_type, light
    assert light["state"]["reachable"] is True
    assert light["name"] and light["modelid"] and light["manufacturername"], light


async def test_search_lists_the_light_that_joined_under_lights_new(
    rig: Rig, deconz: Deconz, factory_new_light: str
) -> None:
    ieee = factory_new_light
    searching = await deconz.post("lights")
    assert searching.status_code == 200, searching.text
    assert success_items(searching.json())["/lights"] == "Searching for new devices"

    async def listed() -> dict[str, Any] | None:
        new = await deconz.get("lights/new")
        found = await deconz.find_light(ieee)
        return new if found is not None and found[0] in new else None

    new = await until(listed, timeout=JOIN_TIMEOUT, what=f"{ieee} in GET /lights/new")
    assert new["lastscan"] == "active", new
    light_id = await deconz.light_id(ieee)
    light = (await deconz.lights())[light_id]
    assert new[light_id] == {"name": light["name"]}
