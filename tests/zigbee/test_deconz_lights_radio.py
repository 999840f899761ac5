"""Lights and the radio on a ConBee: the scenarios of ``test_lights_radio.py`` (proved there
on the ZNP path) through zigpy-deconz and the ConBee emulator — reachability, reports,
websocket events, delete with leave, persistence.

Why again on this radio: delivery failures arrive differently (an ``aps_data_confirm``
with APS_NO_ACK instead of an AF data confirm), joins are learnt only from the lamp's
Device_annce (the deCONZ protocol has no join callback), and reports come in as
``aps_data_indication`` frames the host must poll for.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.waiting import until
from tests.zigbee.deconz_rig import (
    commands_to,
    conbee_rig,
    copy_template,
    make_template,
    restart_gateway,
)
from tests.zigbee.rig import ieee
from tests.zigbee.test_deconz_gateway import DeconzRig

ON_OFF = 0x0006


@pytest.fixture(scope="module")
def paired_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("deconz-paired"), lights=4, paired=4)


@pytest.fixture(scope="module")
def formed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("deconz-formed"))


@pytest.fixture
def paired(paired_template: Path, tmp_path: Path) -> Path:
    return copy_template(paired_template, tmp_path)


@pytest.fixture
def formed(formed_template: Path, tmp_path: Path) -> Path:
    return copy_template(formed_template, tmp_path)


async def put(rig: DeconzRig, lamp: int, body: dict[str, Any]) -> httpx.Response:
    return await rig.put_state(lamp, body)


async def reachable(rig: DeconzRig, lamp: int) -> bool:
    light = rig.gw.light_id(lamp)
    return bool((await rig.gw.get(f"/lights/{light}"))["state"]["reachable"])


async def test_a_lamp_without_power_does_not_acknowledge_and_answers_202(paired):
    async with conbee_rig(paired, lights=4) as rig:
        rig.emulator.set_online(ieee(1), False)
        r = await put(rig, 1, {"on": False})
        assert r.status_code == 200
        assert r.json()[0]["error"]["type"] == 202
        assert not await reachable(rig, 1)


async def test_an_unreachable_lamp_answers_202_and_nothing_is_sent(paired):
    async with conbee_rig(paired, lights=4) as rig:
        rig.emulator.set_online(ieee(1), False)
        await put(rig, 1, {"on": False})
        mark = rig.emulator.frame_mark()
        r = await put(rig, 1, {"bri": 10})
        light = rig.gw.light_id(1)
        assert r.json() == [
            {
                "error": {
                    "type": 202,
                    "address": f"/lights/{light}/state",
                    "description": f"resource, /lights/{light}/state, is not modifiable. "
                    "Device is not reachable.",
                }
            }
        ]
        nwk = rig.emulator.device(ieee(1)).nwk
        assert commands_to(rig.emulator, mark, nwk) == []


async def test_a_lamp_that_gets_power_back_is_reachable_again(paired):
    async with conbee_rig(paired, lights=4) as rig:
        rig.emulator.set_online(ieee(1), False)
        await put(rig, 1, {"on": False})
        rig.emulator.set_online(ieee(1), True)
        await until(lambda: reachable(rig, 1), timeout=5)
        r = await put(rig, 1, {"on": True})
        assert "success" in r.json()[0]


async def test_a_report_from_the_lamp_updates_the_state_and_reaches_the_websocket(paired):
    async with conbee_rig(paired, lights=4) as rig:
        await put(rig, 1, {"on": True})
        light = rig.gw.light_id(1)
        async with rig.gw.websocket() as events:
            await asyncio.sleep(0.1)
            # Someone switches the lamp off at the lamp (not through the gateway).
            rig.emulator.device(ieee(1)).endpoint.cluster(ON_OFF).switch(False)
            event = await events.next(lambda e: e.get("id") == light and "state" in e)
        assert (event["t"], event["e"], event["r"]) == ("event", "changed", "lights")
        assert event["uniqueid"] == f"{ieee(1).upper()}-0B"
        assert event["state"]["on"] is False
        assert (await rig.gw.get(f"/lights/{light}"))["state"]["on"] is False


async def test_a_put_state_is_announced_on_the_websocket(paired):
    async with conbee_rig(paired, lights=4) as rig:
        await put(rig, 1, {"on": True})
        light = rig.gw.light_id(1)
        async with rig.gw.websocket() as events:
            await asyncio.sleep(0.1)
            await put(rig, 1, {"bri": 33, "transitiontime": 0})
            event = await events.next(lambda e: e.get("state", {}).get("bri") == 33)
        assert event["id"] == light


async def test_a_new_lamp_is_announced_as_added_on_the_websocket(formed):
    async with conbee_rig(formed, lights=1) as rig:
        async with rig.gw.websocket() as events:
            await asyncio.sleep(0.1)
            await rig.gw.http.post(rig.gw.url("/lights"))
            event = await events.next(lambda e: e["e"] == "added", timeout=10)
        assert event["r"] == "lights"
        assert event["light"]["type"] == "Extended color light"
        assert event["light"]["uniqueid"] == event["uniqueid"]


async def test_delete_with_reset_makes_the_lamp_leave_the_network(paired):
    async with conbee_rig(paired, lights=4) as rig:
        light = rig.gw.light_id(2)
        r = await rig.gw.http.request(
            "DELETE", rig.gw.url(f"/lights/{light}"), json={"reset": True}
        )
        assert r.json() == [{"success": {"id": light}}]
        await until(lambda: not rig.emulator.device(ieee(2)).snapshot()["joined"], timeout=5)
        assert (await rig.gw.http.get(rig.gw.url(f"/lights/{light}"))).status_code == 404


async def test_a_lamp_paired_again_after_delete_gets_a_new_id(paired):
    async with conbee_rig(paired, lights=4) as rig:
        old = rig.gw.light_id(2)
        await rig.gw.http.request("DELETE", rig.gw.url(f"/lights/{old}"), json={"reset": True})
        await until(lambda: not rig.emulator.device(ieee(2)).snapshot()["joined"], timeout=5)
        await rig.gw.http.post(rig.gw.url("/lights"))
        await until(lambda: any(li.address.ieee == ieee(2) for li in rig.gw.lights.all()), 10)
        assert int(rig.gw.light_id(2)) == 5


async def test_names_and_state_survive_a_gateway_restart(paired):
    async with conbee_rig(paired, lights=4) as rig:
        light = rig.gw.light_id(1)
        await rig.gw.http.put(rig.gw.url(f"/lights/{light}"), json={"name": "Hall"})
        await put(rig, 1, {"on": True, "bri": 77, "transitiontime": 0})
        gw = await restart_gateway(rig)
        body = await gw.get(f"/lights/{light}")
        assert body["name"] == "Hall"
        assert body["state"]["bri"] == 77
        assert gw.light_id(1) == light
