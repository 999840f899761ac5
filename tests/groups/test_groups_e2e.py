"""Groups and scenes end to end: HTTP through uvicorn -> zigpy-znp -> the emulator's lamps.

Membership lands in each lamp's Groups table, a group action is *one* APS groupcast on
the emulator's air (not one unicast per lamp), scenes live in the lamps (Store / Add /
Recall), and a lamp that was off while it was added to a group gets its membership when
it comes back. One rig serves the module; each test makes its own group.
"""

from __future__ import annotations

import pytest
import pytest_asyncio

from gateway.domain.groups import ALL_GROUP_ADDRESS
from tests.zigbee.rig import ieee, until, zigbee_rig

pytestmark = pytest.mark.asyncio(loop_scope="module")

ON_OFF, LEVEL, SCENES = 0x0006, 0x0008, 0x0005
CLUSTER_SPECIFIC = 0x01  # ZCL frame control, frame type bits
EXTENDED, CT, DIMMABLE, PLUG = 1, 2, 3, 4


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory):
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("groups-e2e")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with zigbee_rig(directory, lights=4) as rig:
        await until(lambda: all(lamp(rig, i).in_group(ALL_GROUP_ADDRESS) for i in range(1, 5)),
                    timeout=20)  # fmt: skip
        yield rig


def lamp(rig, index: int):
    return rig.emulator.device(ieee(index))


async def create_group(rig, name: str, lamps: list[int]) -> str:
    ids = [rig.gw.light_id(i) for i in lamps]
    r = await rig.gw.http.post(rig.gw.url("/groups"), json={"name": name, "lights": ids})
    assert r.status_code == 200, r.text
    return r.json()[0]["success"]["id"]


async def put(rig, path: str, body: dict) -> list:
    r = await rig.gw.http.put(rig.gw.url(path), json=body)
    assert r.status_code == 200, r.text
    assert all("success" in item for item in r.json()), r.json()
    return r.json()


def on(rig, index: int) -> bool:
    return bool(rig.emu_value(index, ON_OFF, "on_off"))


async def test_every_light_is_in_group_0_and_group_0_lists_them(rig):
    body = await rig.gw.get("/groups/0")
    assert sorted(body["lights"], key=int) == sorted(
        (rig.gw.light_id(i) for i in range(1, 5)), key=int
    )
    assert "0" not in await rig.gw.get("/groups")


async def test_a_new_group_is_written_into_each_member_lamp(rig):
    gid = await create_group(rig, "membership", [EXTENDED, CT])
    await until(lambda: lamp(rig, EXTENDED).in_group(int(gid)) and lamp(rig, CT).in_group(int(gid)))
    assert not lamp(rig, DIMMABLE).in_group(int(gid))
    body = await rig.gw.get(f"/groups/{gid}")
    assert body["lights"] == [rig.gw.light_id(EXTENDED), rig.gw.light_id(CT)]
    assert body["type"] == "LightGroup"


async def test_a_group_action_is_one_groupcast_and_switches_only_members(rig):
    gid = await create_group(rig, "action", [EXTENDED, DIMMABLE])
    await until(lambda: lamp(rig, DIMMABLE).in_group(int(gid)))
    await put(rig, "/groups/0/action", {"on": False})
    await until(lambda: not any(on(rig, i) for i in range(1, 5)))
    since = rig.emulator.air_log.last_seq
    await put(rig, f"/groups/{gid}/action", {"on": True})
    await until(lambda: on(rig, EXTENDED) and on(rig, DIMMABLE))
    frames = rig.emulator.air_log.records(since, dst_mode="group")
    assert [(f["dst"], f["cluster"]) for f in frames] == [(int(gid), ON_OFF)]
    # No On/Off command goes to a lamp one by one (an attribute read, e.g. a reachability probe
    # of a lamp that answered late on a loaded machine, is not a command: ZCL frame type 0).
    unicast_commands = [f for f in rig.emulator.air_log.records(since, cluster=ON_OFF)
                        if f["dir"] == "down" and f["dst_mode"] != "group"
                        and int(f["data"][:2], 16) & 0x03 == CLUSTER_SPECIFIC]  # fmt: skip
    assert unicast_commands == []
    assert not on(rig, CT) and not on(rig, PLUG)
    state = await until(lambda: _group_state(rig, gid, any_on=True), timeout=5)
    assert state == {"all_on": True, "any_on": True}


async def _group_state(rig, gid: str, **wanted):
    state = (await rig.gw.get(f"/groups/{gid}"))["state"]
    return state if all(state[k] == v for k, v in wanted.items()) else None


async def test_group_0_action_is_one_groupcast_to_every_lamp(rig):
    since = rig.emulator.air_log.last_seq
    await put(rig, "/groups/0/action", {"on": True})
    await until(lambda: all(on(rig, i) for i in range(1, 5)))
    frames = rig.emulator.air_log.records(since, dst_mode="group")
    assert [(f["dst"], f["cluster"]) for f in frames] == [(ALL_GROUP_ADDRESS, ON_OFF)]
    state = await until(lambda: _group_state(rig, "0", all_on=True), timeout=5)
    assert state["any_on"] is True


async def test_a_scene_is_stored_in_the_lamps_and_recalled_by_one_groupcast(rig):
    gid = await create_group(rig, "scene", [EXTENDED, DIMMABLE])
    await until(lambda: lamp(rig, DIMMABLE).in_group(int(gid)))
    await put(rig, f"/groups/{gid}/action", {"on": True, "bri": 40, "transitiontime": 0})
    await until(lambda: rig.emu_value(DIMMABLE, LEVEL, "current_level") == 40)
    r = await rig.gw.http.post(rig.gw.url(f"/groups/{gid}/scenes"), json={"name": "dim"})
    assert r.status_code == 200, r.text
    sid = r.json()[0]["success"]["id"]
    await put(rig, f"/groups/{gid}/action", {"bri": 200, "transitiontime": 0})
    await until(lambda: rig.emu_value(DIMMABLE, LEVEL, "current_level") == 200)
    since = rig.emulator.air_log.last_seq
    await put(rig, f"/groups/{gid}/scenes/{sid}/recall", {})
    await until(lambda: rig.emu_value(DIMMABLE, LEVEL, "current_level") == 40)
    frames = rig.emulator.air_log.records(since, dst_mode="group")
    assert [(f["dst"], f["cluster"]) for f in frames] == [(int(gid), SCENES)]
    scene = await rig.gw.get(f"/groups/{gid}/scenes/{sid}")
    assert {item["id"]: item["bri"] for item in scene["lights"]} == {
        rig.gw.light_id(EXTENDED): 40,
        rig.gw.light_id(DIMMABLE): 40,
    }
    listed = await rig.gw.get(f"/groups/{gid}/scenes")
    assert listed[sid]["name"] == "dim"


async def test_a_lamp_that_was_off_gets_its_membership_when_it_comes_back(rig):
    device = lamp(rig, PLUG)
    device.set_online(False)
    try:
        gid = await create_group(rig, "late", [PLUG])
        assert not device.in_group(int(gid))
        body = await rig.gw.get(f"/groups/{gid}")
        assert body["lights"] == [rig.gw.light_id(PLUG)]
    finally:
        device.set_online(True)
    await until(lambda: device.in_group(int(gid)), timeout=15)


async def test_a_scene_lives_in_the_lamp_through_a_power_cycle(rig):
    gid = await create_group(rig, "power", [DIMMABLE])
    await until(lambda: lamp(rig, DIMMABLE).in_group(int(gid)))
    await put(rig, f"/groups/{gid}/action", {"on": True, "bri": 25, "transitiontime": 0})
    await until(lambda: rig.emu_value(DIMMABLE, LEVEL, "current_level") == 25)
    r = await rig.gw.http.post(rig.gw.url(f"/groups/{gid}/scenes"), json={"name": "low"})
    sid = r.json()[0]["success"]["id"]
    await put(rig, f"/groups/{gid}/action", {"bri": 180, "transitiontime": 0})
    await until(lambda: rig.emu_value(DIMMABLE, LEVEL, "current_level") == 180)
    lamp(rig, DIMMABLE).set_online(False)
    lamp(rig, DIMMABLE).set_online(True)
    await until(lambda: rig.gw.lights.get(rig.gw.light_id(DIMMABLE)).state.get("reachable"))
    await put(rig, f"/groups/{gid}/scenes/{sid}/recall", {})
    await until(lambda: rig.emu_value(DIMMABLE, LEVEL, "current_level") == 25)


async def test_a_light_state_put_into_a_scene_is_what_the_lamp_recalls(rig):
    gid = await create_group(rig, "added", [EXTENDED])
    await until(lambda: lamp(rig, EXTENDED).in_group(int(gid)))
    await put(rig, f"/groups/{gid}/action", {"on": True, "bri": 100, "transitiontime": 0})
    r = await rig.gw.http.post(rig.gw.url(f"/groups/{gid}/scenes"), json={"name": "edit"})
    sid = r.json()[0]["success"]["id"]
    light = rig.gw.light_id(EXTENDED)
    body = {"on": True, "bri": 33, "ct": 300}
    await put(rig, f"/groups/{gid}/scenes/{sid}/lights/{light}/state", body)
    await put(rig, f"/groups/{gid}/scenes/{sid}/recall", {"transitiontime": 0})
    await until(lambda: rig.emu_value(EXTENDED, LEVEL, "current_level") == 33)
    await until(lambda: rig.emu_value(EXTENDED, 0x0300, "color_temperature") == 300)


async def test_group_state_events_follow_the_members_on_the_websocket(rig):
    gid = await create_group(rig, "events", [CT, PLUG])
    await until(lambda: lamp(rig, PLUG).in_group(int(gid)))
    await put(rig, f"/groups/{gid}/action", {"on": True})
    await until(lambda: _group_state(rig, gid, all_on=True), timeout=5)
    async with rig.gw.websocket() as stream:
        # switched off at the lamp: only its report tells the gateway
        lamp(rig, PLUG).endpoint.cluster(ON_OFF).switch(False)
        event = await stream.next(lambda e: e.get("r") == "groups" and e.get("id") == gid)
    assert event["t"] == "event" and event["e"] == "changed"
    assert event["state"] == {"all_on": False, "any_on": True}
