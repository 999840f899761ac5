"""Forming, restoring, joining and channel changes on a ConBee: the scenarios of
``test_network.py`` (proved there on the ZNP path) through the unmodified zigpy-deconz and
the ConBee emulator, with the gateway's Zigbee side and the deCONZ API on uvicorn.

Why again on this radio: formation, restore from zigpy's backup, permit join and the
channel change are done by a different zigpy radio library with its own steps (parameter
writes, OFFLINE/CONNECTED, no join callback), so each has its own ways to go wrong.
A formed network is made once per module and copied into each test
(``tests/zigbee/deconz_rig.py``), as tests/zigbee does for ZNP.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.zigbee.backups import backup_path
from hil.emulators.deconz import DeconzEmulator
from hil.emulators.deconz.params import FormedNetwork
from tests.helpers.waiting import until
from tests.zigbee.deconz_rig import (
    STATE,
    conbee_rig,
    copy_template,
    make_template,
    new_emulator,
    restart_gateway,
)
from tests.zigbee.rig import FAST, MANUAL_LAMP, Gateway, ieee
from tests.zigbee.test_deconz_gateway import DeconzRig


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("deconz-formed"))


@pytest.fixture
def formed(template: Path, tmp_path: Path) -> Path:
    return copy_template(template, tmp_path)


def _network(rig: DeconzRig) -> FormedNetwork:
    network = rig.emulator.firmware.config.network
    assert network is not None
    return network


async def test_first_start_forms_a_network_and_config_shows_the_stick(tmp_path):
    async with conbee_rig(tmp_path) as rig:
        config = await rig.gw.get("/config")
        network = _network(rig)
        assert config["panid"] == network.pan_id
        assert config["zigbeechannel"] == network.channel == 15
        mac = str(rig.emulator.firmware.config.mac_address).replace(":", "").upper()
        assert config["bridgeid"] == mac


async def test_a_restart_finds_the_same_network_without_forming_again(formed):
    async with conbee_rig(formed) as rig:
        before = await rig.gw.get("/config")
        formations = rig.emulator.firmware.stats.formations
        gw = await restart_gateway(rig)
        after = await gw.get("/config")
        keys = ("panid", "zigbeechannel", "bridgeid")
        assert [after[k] for k in keys] == [before[k] for k in keys]
        assert rig.emulator.firmware.stats.formations == formations


async def test_a_network_backup_file_is_written_to_the_state_directory(tmp_path):
    async with conbee_rig(tmp_path) as rig:
        path = backup_path(tmp_path / "zigbee-backups")
        await until(path.exists, timeout=10)
        data = json.loads(path.read_text())
        assert data["metadata"]["format"] == "zigpy/open-coordinator-backup"
        assert int(data["pan_id"], 16) == _network(rig).pan_id
        assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_lamps_join_while_the_network_is_open_with_their_types(formed):
    async with conbee_rig(formed, lights=4) as rig:
        lights = await rig.gw.pair(4)
        assert sorted(light["uniqueid"].split("-")[0].lower() for light in lights.values()) == [
            ieee(i) for i in range(1, 5)
        ]
        assert sorted(light["type"] for light in lights.values()) == [
            "Color temperature light",
            "Dimmable light",
            "Extended color light",
            "On/Off plug-in unit",
        ]


async def test_a_lamp_that_tries_while_the_network_is_open_joins(formed):
    async with conbee_rig(formed, manual_lamp=True) as rig:
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 30})
        assert r.status_code == 200
        assert rig.emulator.join(MANUAL_LAMP)
        lights = await until(lambda: rig.gw.lights.all(), timeout=10)
        assert str(lights[0].address.ieee) == MANUAL_LAMP


async def test_no_lamp_joins_after_the_network_closed(formed):
    async with conbee_rig(formed, manual_lamp=True) as rig:
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 1})
        assert r.status_code == 200
        await asyncio.sleep(1.3)
        assert not rig.emulator.join(MANUAL_LAMP)
        await asyncio.sleep(0.5)
        assert await rig.gw.get("/lights") == {}


async def test_the_radio_is_busy_during_a_channel_change(formed):
    async with conbee_rig(formed) as rig:
        change = asyncio.create_task(
            rig.gw.http.put(rig.gw.url("/config"), json={"zigbeechannel": 25})
        )
        await until(lambda: rig.gw.supervisor.busy is not None, timeout=10)
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 30})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 951
        assert (await change).status_code == 200
        assert _network(rig).channel == 25


async def test_reset_gw_forms_a_new_network_and_the_radio_comes_back(formed):
    async with conbee_rig(formed) as rig:
        before = _network(rig)
        states: list[str] = []
        rig.gw.supervisor.add_state_listener(lambda old, new: states.append(str(new)))
        r = await rig.gw.http.post(rig.gw.url("/config/reset"), json={"resetGW": True})
        assert r.status_code == 200, r.text
        assert "busy" in states
        await until(lambda: states[-2:] == ["connecting", "running"], timeout=20)
        after = _network(rig)
        assert after.extended_pan_id != before.extended_pan_id
        assert after.channel == before.channel
        assert (await rig.gw.get("/config"))["panid"] == after.pan_id


async def _wipe_stick_and_restart(rig: DeconzRig, *, lose_zigpy_database: bool = False) -> None:
    """Replace the ConBee by an empty one (new or erased) with the same MAC address."""
    mac = str(rig.emulator.firmware.config.mac_address)
    await rig.gw.stop()
    await rig.emulator.stop()
    (rig.tmp / STATE).unlink()
    if lose_zigpy_database:
        (rig.tmp / "zigbee.db").unlink()
    config = new_emulator(rig.tmp, 0).config
    config.ieee = mac
    rig.emulator = DeconzEmulator(config)
    await rig.emulator.start()
    rig.gw = await Gateway(rig.tmp, rig.emulator.path or "", FAST, kind="deconz").start()
    await rig.gw.running(timeout=30)


async def test_an_empty_stick_gets_the_network_back_from_zigpys_backup(formed):
    async with conbee_rig(formed) as rig:
        before, key = _network(rig), rig.emulator.firmware.config.network_key
        await _wipe_stick_and_restart(rig)
        after = _network(rig)
        assert (after.pan_id, after.extended_pan_id, after.channel) == (
            before.pan_id,
            before.extended_pan_id,
            before.channel,
        )
        assert rig.emulator.firmware.config.network_key == key


async def test_with_zigpys_database_lost_too_the_backup_file_restores_the_network(formed):
    async with conbee_rig(formed) as rig:
        before, key = _network(rig), rig.emulator.firmware.config.network_key
        await _wipe_stick_and_restart(rig, lose_zigpy_database=True)
        after = _network(rig)
        assert (after.pan_id, after.extended_pan_id) == (before.pan_id, before.extended_pan_id)
        assert rig.emulator.firmware.config.network_key == key


async def test_while_unplugged_lights_read_unreachable_and_permitjoin_answers_950(tmp_path):
    async with conbee_rig(tmp_path, lights=2, paired=2) as rig:
        light = rig.gw.light_id(2)
        await rig.gw.http.put(rig.gw.url(f"/lights/{light}"), json={"name": "Desk"})
        closed = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 0})
        assert closed.status_code == 200  # pairing left it open
        before = {k: (v["name"], v["uniqueid"]) for k, v in (await rig.gw.get("/lights")).items()}
        rig.emulator.unplug()
        await until(lambda: not rig.gw.supervisor.reachable, timeout=5)
        lights = await rig.gw.get("/lights")
        assert {li["state"]["reachable"] for li in lights.values()} == {False}
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 60})
        assert r.status_code == 503 and r.json()[0]["error"]["type"] == 950
        assert (await rig.gw.get("/config"))["permitjoin"] == 0
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.reachable, timeout=20)
        lights = await until(lambda: _all_reachable(rig), timeout=10)
        assert {k: (v["name"], v["uniqueid"]) for k, v in lights.items()} == before


async def _all_reachable(rig: DeconzRig) -> dict[str, Any] | None:
    lights = await rig.gw.get("/lights")
    return lights if all(li["state"]["reachable"] for li in lights.values()) else None
