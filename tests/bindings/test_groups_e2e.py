"""Bindings to Zigbee groups end to end: a KNX central function becomes one groupcast, a
KNX scene number recalls a Zigbee scene stored in the lamps.

Asserted on the emulated air (``air_log``: every frame, unicast or groupcast) and in the
lamps, with a second KNX tunnel as the wall switch and monitor.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import pytest_asyncio
from xknx.dpt.payload import DPTArray, DPTBinary

from tests.bindings.world import World, bindings_world
from tests.helpers.waiting import until
from tests.zigbee.rig import ieee

pytestmark = pytest.mark.asyncio(loop_scope="module")

ON_OFF, LEVEL, SCENES = 0x0006, 0x0008, 0x0005
LAMPS = (1, 2, 3, 4)
CENTRAL = "1/7/0"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("bindings-groups")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with bindings_world(directory) as built:
        yield built


def on(world: World, lamp: int) -> bool:
    return bool(world.rig.emu_value(lamp, ON_OFF, "on_off"))


def level(world: World, lamp: int) -> int:
    return int(world.rig.emu_value(lamp, LEVEL, "current_level"))


async def group_of(world: World, name: str, lamps: tuple[int, ...]) -> str:
    ids = [world.light_id(i) for i in lamps]
    r = await world.http.post(world.url("/groups"), json={"name": name, "lights": ids})
    assert r.status_code == 200, r.text
    gid = str(r.json()[0]["success"]["id"])
    device = world.rig.emulator.device
    await until(lambda: all(device(ieee(i)).in_group(int(gid)) for i in lamps), 20)
    return gid


async def action(world: World, gid: str, body: dict[str, Any]) -> None:
    r = await world.http.put(world.url(f"/groups/{gid}/action"), json=body)
    assert r.status_code == 200 and all("success" in i for i in r.json()), r.text


async def test_a_central_off_to_lamps_sharing_a_group_is_one_groupcast(world: World) -> None:
    gid = await group_of(world, "all four", LAMPS)
    for lamp in LAMPS:
        light = world.light_id(lamp)
        knx = {"switch": [f"1/6/{lamp}", CENTRAL], "switch_status": f"1/6/{10 + lamp}"}
        await world.create({"target": {"type": "light", "id": light}, "knx": knx})
    await action(world, gid, {"on": True})
    await until(lambda: all(on(world, i) for i in LAMPS), 5)
    await asyncio.sleep(0.5)
    air, mark = world.rig.emulator.air_log, len(world.wall.seen)
    since = air.last_seq
    await world.wall.write(CENTRAL, DPTBinary(0))
    await until(lambda: not any(on(world, i) for i in LAMPS), 5)
    groupcasts = [(f["dst"], f["cluster"]) for f in air.records(since, dst_mode="group")]
    assert groupcasts == [(int(gid), ON_OFF)]
    unicasts = [f for f in air.records(since, cluster=ON_OFF)
                if f["dir"] == "down" and f["dst_mode"] != "group"]  # fmt: skip
    assert unicasts == []
    for lamp in LAMPS:  # every lamp's own status, from its own report, once
        await world.wall.wait_for(
            lambda t, lamp=lamp: t.destination == f"1/6/{10 + lamp}" and t.value == 0,
            timeout=5,
            since=mark,
        )
    # One lamp's own switch is still its own: a unicast to that lamp only.
    since = air.last_seq
    await world.wall.write("1/6/2", DPTBinary(1))
    await until(lambda: on(world, 2), 5)
    assert air.records(since, dst_mode="group") == []
    assert not on(world, 1) and not on(world, 3)


async def test_a_knx_scene_number_recalls_the_zigbee_scene_by_one_groupcast(world: World) -> None:
    gid = await group_of(world, "scenes", (1, 3))
    await action(world, gid, {"on": True, "bri": 40, "transitiontime": 0})
    await until(lambda: level(world, 3) == 40, 5)
    r = await world.http.post(world.url(f"/groups/{gid}/scenes"), json={"name": "evening"})
    assert r.status_code == 200, r.text
    sid = str(r.json()[0]["success"]["id"])
    await action(world, gid, {"bri": 200, "transitiontime": 0})
    await until(lambda: level(world, 3) == 200, 5)
    await world.create(
        {"target": {"type": "group", "id": gid}, "knx": {"scene": "1/4/1"}, "scenes": {"7": sid}}
    )
    since = world.rig.emulator.air_log.last_seq
    await world.wall.write("1/4/1", DPTArray((6,)))  # DPT 17.001: scene 7 is 6 on the wire
    await until(lambda: level(world, 3) == 40 and level(world, 1) == 40, 5)
    frames = world.rig.emulator.air_log.records(since, dst_mode="group")
    assert [(f["dst"], f["cluster"]) for f in frames] == [(int(gid), SCENES)]


async def test_relative_dimming_of_a_group_is_a_groupcast_move_and_stop(world: World) -> None:
    gid = await group_of(world, "dim", (2, 3))
    await action(world, gid, {"on": True, "bri": 30, "transitiontime": 0})
    await until(lambda: level(world, 3) == 30, 5)
    ident = await world.create({"target": {"type": "group", "id": gid}, "knx": {"dim": "1/4/2"}})
    assert ident
    air = world.rig.emulator.air_log
    since = air.last_seq
    await world.wall.write("1/4/2", DPTBinary(0b1001))
    await asyncio.sleep(0.6)
    await world.wall.write("1/4/2", DPTBinary(0b1000))
    await asyncio.sleep(0.3)
    frames = [(f["dst"], f["cluster"]) for f in air.records(since, dst_mode="group")]
    assert frames == [(int(gid), LEVEL), (int(gid), LEVEL)]
    stopped = level(world, 3)
    assert 30 < stopped < 254
    await asyncio.sleep(0.5)
    assert level(world, 3) == stopped
