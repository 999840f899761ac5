"""Forming, restoring, joining and channel changes against the emulator (zigpy-znp, pty)."""

from __future__ import annotations

import asyncio
import json

from gateway.zigbee.backups import backup_path
from hil.emulators.znp import ZnpEmulator
from tests.zigbee.rig import FAST, MANUAL_LAMP, Gateway, emulator_config, ieee, until, zigbee_rig


async def test_first_start_forms_a_network_and_config_shows_it(tmp_path):
    async with zigbee_rig(tmp_path, lights=0) as rig:
        config = await rig.gw.get("/config")
        network = rig.emulator.network
        assert network is not None
        assert config["panid"] == network.pan_id
        assert config["zigbeechannel"] == network.channel == 15
        coordinator = str(rig.emulator.stack.ieee).replace(":", "").upper()
        assert config["bridgeid"] == coordinator
        assert config["fwversion"]


async def test_a_restart_finds_the_same_network(formed):
    async with zigbee_rig(formed, lights=0) as rig:
        before = await rig.gw.get("/config")
        gw = await rig.restart_gateway()
        await gw.running()
        after = await gw.get("/config")
        assert (after["panid"], after["zigbeechannel"], after["bridgeid"]) == (
            before["panid"],
            before["zigbeechannel"],
            before["bridgeid"],
        )


async def test_a_network_backup_file_is_written_to_the_state_directory(tmp_path):
    async with zigbee_rig(tmp_path, lights=0) as rig:
        path = backup_path(tmp_path / "zigbee-backups")
        await until(path.exists)
        data = json.loads(path.read_text())
        assert data["metadata"]["format"] == "zigpy/open-coordinator-backup"
        assert int(data["pan_id"], 16) == rig.emulator.network.pan_id
        assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_lamps_join_while_the_network_is_open(formed):
    async with zigbee_rig(formed, lights=4) as rig:
        lights = await rig.gw.pair(4)
        assert sorted(light["uniqueid"].split("-")[0].lower() for light in lights.values()) == [
            ieee(i) for i in range(1, 5)
        ]
        types = sorted(light["type"] for light in lights.values())
        assert types == [
            "Color temperature light",
            "Dimmable light",
            "Extended color light",
            "On/Off plug-in unit",
        ]


async def test_a_lamp_that_tries_while_the_network_is_open_joins(formed):
    async with zigbee_rig(formed, lights=0, manual_lamp=True) as rig:
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 30})
        assert r.status_code == 200
        assert rig.emulator.join(MANUAL_LAMP)
        lights = await until(lambda: rig.gw.lights.all())
        assert lights[0].address.ieee == MANUAL_LAMP


async def test_no_lamp_joins_after_the_network_closed(formed):
    async with zigbee_rig(formed, lights=0, manual_lamp=True) as rig:
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 1})
        assert r.status_code == 200
        await asyncio.sleep(1.3)
        assert not rig.emulator.join(MANUAL_LAMP)
        await asyncio.sleep(0.5)
        assert await rig.gw.get("/lights") == {}


async def test_new_lights_lists_what_joined_during_the_search(formed):
    async with zigbee_rig(formed, lights=2, paired=2) as rig:
        new = await rig.gw.get("/lights/new")
        assert new["lastscan"] == "active"
        assert set(new) == {"1", "2", "lastscan"}


async def test_channel_change_moves_the_network_and_the_lamps_follow(paired):
    async with zigbee_rig(paired, lights=4) as rig:
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"zigbeechannel": 20})
        assert r.status_code == 200, r.text
        assert r.json() == [{"success": {"/config/zigbeechannel": 20}}]
        assert rig.emulator.network.channel == 20
        assert (await rig.gw.get("/config"))["zigbeechannel"] == 20
        await until(lambda: all(rig.emulator.device(ieee(i)).channel == 20 for i in range(1, 5)))
        light = rig.gw.light_id(1)
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": False})
        assert r.json() == [{"success": {f"/lights/{light}/state/on": False}}]
        assert not rig.emu_value(1, 0x0006, "on_off")


async def test_the_radio_is_busy_during_a_channel_change(formed):
    async with zigbee_rig(formed, lights=0) as rig:
        change = asyncio.create_task(
            rig.gw.http.put(rig.gw.url("/config"), json={"zigbeechannel": 25})
        )
        await until(lambda: rig.gw.supervisor.busy is not None)
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 30})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 951
        assert (await change).status_code == 200


async def test_reset_gw_forms_a_new_network_and_the_radio_comes_back(formed):
    async with zigbee_rig(formed, lights=0) as rig:
        before = rig.emulator.network
        states: list[str] = []
        rig.gw.supervisor.add_state_listener(lambda old, new: states.append(str(new)))
        r = await rig.gw.http.post(rig.gw.url("/config/reset"), json={"resetGW": True})
        assert r.status_code == 200, r.text
        assert "busy" in states  # the network reset ran as an exclusive operation
        await until(lambda: states[-2:] == ["connecting", "running"], timeout=15)
        after = rig.emulator.network
        assert after.extended_pan_id != before.extended_pan_id
        assert after.channel == before.channel
        assert (await rig.gw.get("/config"))["panid"] == after.pan_id


async def wipe_stick_and_restart(rig, *, lose_zigpy_database: bool = False) -> None:
    """Replace the stick by an empty one (a new or erased coordinator) and start again."""
    await rig.gateway.stop()
    await rig.emulator.stop()
    (rig.tmp / "znp-state.json").unlink()
    if lose_zigpy_database:
        (rig.tmp / "zigbee.db").unlink()
    rig.emulator = ZnpEmulator(emulator_config(rig.tmp, 0))
    await rig.emulator.start()
    rig.gateway = await Gateway(rig.tmp, rig.emulator.path or "", FAST).start()
    await rig.gateway.running()


async def test_an_empty_stick_gets_the_network_back_from_zigpys_backup(formed):
    async with zigbee_rig(formed, lights=0) as rig:
        before = rig.emulator.network
        await wipe_stick_and_restart(rig)
        after = rig.emulator.network
        assert (after.pan_id, after.extended_pan_id, after.channel, after.network_key) == (
            before.pan_id,
            before.extended_pan_id,
            before.channel,
            before.network_key,
        )


async def test_with_zigpys_database_lost_too_the_backup_file_restores_the_network(formed):
    async with zigbee_rig(formed, lights=0) as rig:
        before = rig.emulator.network
        await wipe_stick_and_restart(rig, lose_zigpy_database=True)
        after = rig.emulator.network
        assert (after.pan_id, after.extended_pan_id, after.network_key) == (
            before.pan_id,
            before.extended_pan_id,
            before.network_key,
        )
