"""Unplug and replug the stick while the gateway runs: no restart, nothing lost."""

from __future__ import annotations

from gateway.domain.radio import RadioState
from tests.zigbee.rig import until, zigbee_rig


async def unplugged(rig) -> None:
    rig.emulator.unplug()
    await until(lambda: not rig.gw.supervisor.reachable, timeout=5)


async def test_unplugging_the_stick_is_noticed_as_lost(paired):
    async with zigbee_rig(paired) as rig:
        await unplugged(rig)
        assert rig.gw.supervisor.state in (RadioState.LOST, RadioState.CONNECTING)


async def test_lights_read_unreachable_while_the_stick_is_unplugged(paired):
    async with zigbee_rig(paired) as rig:
        await unplugged(rig)
        lights = await rig.gw.get("/lights")
        assert len(lights) == 4
        assert {light["state"]["reachable"] for light in lights.values()} == {False}


async def test_light_commands_answer_503_error_950_while_unplugged(paired):
    async with zigbee_rig(paired) as rig:
        await unplugged(rig)
        light = rig.gw.light_id(1)
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": True})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950


async def test_permitjoin_answers_503_error_950_while_unplugged(paired):
    async with zigbee_rig(paired) as rig:
        await unplugged(rig)
        r = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 60})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950
        assert (await rig.gw.get("/config"))["permitjoin"] == 0


async def test_replugging_brings_the_radio_back_without_a_restart(paired):
    async with zigbee_rig(paired) as rig:
        side = rig.gw.side
        await unplugged(rig)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.state is RadioState.RUNNING, timeout=10)
        assert rig.gw.side is side  # the same process and objects, reconnected
        light = rig.gw.light_id(1)
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": False})
        assert r.json() == [{"success": {f"/lights/{light}/state/on": False}}]
        await until(lambda: rig.emu_value(1, 0x0006, "on_off") is False)


async def test_lights_are_reachable_again_after_the_replug(paired):
    async with zigbee_rig(paired) as rig:
        await unplugged(rig)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.state is RadioState.RUNNING, timeout=10)
        lights = await rig.gw.get("/lights")
        assert {light["state"]["reachable"] for light in lights.values()} == {True}


async def test_names_and_ids_survive_an_unplug(paired):
    async with zigbee_rig(paired) as rig:
        light = rig.gw.light_id(2)
        await rig.gw.http.put(rig.gw.url(f"/lights/{light}"), json={"name": "Desk"})
        before = {k: (v["name"], v["uniqueid"]) for k, v in (await rig.gw.get("/lights")).items()}
        await unplugged(rig)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.state is RadioState.RUNNING, timeout=10)
        after = {k: (v["name"], v["uniqueid"]) for k, v in (await rig.gw.get("/lights")).items()}
        assert after == before
        assert after[light][0] == "Desk"


async def test_a_coordinator_reset_restarts_the_network_without_a_process_restart(paired):
    async with zigbee_rig(paired) as rig:
        states: list[RadioState] = []
        rig.gw.supervisor.add_state_listener(lambda old, new: states.append(new))
        rig.emulator.reset()
        await until(lambda: RadioState.LOST in states, timeout=5)
        await until(lambda: rig.gw.supervisor.state is RadioState.RUNNING, timeout=10)
        light = rig.gw.light_id(1)
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": False})
        assert r.json() == [{"success": {f"/lights/{light}/state/on": False}}]
        await until(lambda: rig.emu_value(1, 0x0006, "on_off") is False)
