"""Bindings against knxd, Debian's KNX daemon, with ``knxtool`` as the wall switch.

knxd is the third-party KNXnet/IP server (``tests/knx/knxd_peer.py``: its own network
namespace, root only); ``knxtool groupswrite``/``groupwrite``/``groupread`` are the wall
switch and the visualisation, ``knxtool vbusmonitor1`` shows every frame on the bus. The
Zigbee side is the ZNP emulator driven by the unmodified zigpy-znp, as in the other tests.
Skipped, naming what is missing, without knxd/knxtool or without root.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.bindings.world import World, bindings_world
from tests.helpers.waiting import until
from tests.knx.knxd_peer import BusFrame, BusMonitor, Knxd, running_knxd
from tests.zigbee.rig import zcl_frame

pytestmark = pytest.mark.knxd

ON_OFF, LEVEL = 0x0006, 0x0008
LAMP = 1
KNX = {
    "switch": "1/5/1",
    "switch_status": "1/5/2",
    "dim": "1/5/3",
    "brightness": "1/5/4",
    "brightness_status": "1/5/5",
}
QUIET = 0.6


@pytest.fixture
def knxd(tmp_path: Path) -> Iterator[Knxd]:
    with running_knxd(tmp_path / "knxd") as daemon:
        yield daemon


@pytest_asyncio.fixture
async def world(
    knxd: Knxd, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path / "zigbee"
    directory.mkdir()
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with bindings_world(directory, knx_port=knxd.port) as built:
        await built.create({"target": {"type": "light", "id": built.light_id(LAMP)}, "knx": KNX})
        yield built


@pytest_asyncio.fixture
async def monitor(knxd: Knxd) -> AsyncIterator[BusMonitor]:
    async with BusMonitor(knxd) as bus:
        yield bus


def status(frames: list[BusFrame], ga: str, source: str | None, since: int) -> list[bytes]:
    """The values of GroupValueWrites to ``ga`` from ``source`` (APCI 0x80)."""
    return [
        f.apdu
        for f in frames[since:]
        if f.destination == ga and f.source == source and f.apdu[1] & 0xC0 == 0x80
    ]


async def lamp_off(world: World) -> None:
    """A known start: the lamp off (the paired template leaves it as it was)."""
    r = await world.http.put(world.url(f"/lights/{world.light_id(LAMP)}/state"), json={"on": False})
    assert r.status_code == 200, r.text
    await until(lambda: not on(world), 5)
    await asyncio.sleep(QUIET)


def on(world: World) -> bool:
    return bool(world.rig.emu_value(LAMP, ON_OFF, "on_off"))


async def test_knxtool_wall_switch_drives_the_lamp_and_gets_its_status(
    knxd: Knxd, world: World, monitor: BusMonitor
) -> None:
    me = world.link.individual_address
    await lamp_off(world)
    for value, command in ((1, "on"), (0, "off")):
        frames, mark = world.rig.emulator.frame_mark(), len(monitor.frames)
        await knxd.tool("groupswrite", KNX["switch"], str(value))
        name, _ = await zcl_frame(world.rig.emulator, frames, ON_OFF)
        assert name == command
        await until(lambda value=value: on(world) is bool(value), 5)
        await monitor.wait_for(
            lambda f, value=value: (
                f.destination == KNX["switch_status"]
                and f.source == me
                and f.apdu == bytes([0x00, 0x80 | value])
            ),
            within=5,
        )
        await asyncio.sleep(QUIET)
        assert status(monitor.frames, KNX["switch_status"], me, mark) == [
            bytes([0x00, 0x80 | value])
        ], "exactly one status per report, and no echo"


async def test_knxtool_dims_relative_and_absolute(
    knxd: Knxd, world: World, monitor: BusMonitor
) -> None:
    await lamp_off(world)
    await knxd.tool("groupswrite", KNX["switch"], "1")
    await until(lambda: on(world), 5)
    frames = world.rig.emulator.frame_mark()
    await knxd.tool("groupswrite", KNX["dim"], "9")  # brighter, held
    name, _ = await zcl_frame(world.rig.emulator, frames, LEVEL)
    assert name == "move_with_on_off"
    frames = world.rig.emulator.frame_mark()
    await knxd.tool("groupswrite", KNX["dim"], "8")  # released
    name, _ = await zcl_frame(world.rig.emulator, frames, LEVEL)
    assert name == "stop"
    frames = world.rig.emulator.frame_mark()
    await knxd.tool("groupwrite", KNX["brightness"], "80")  # 50 %
    name, args = await zcl_frame(world.rig.emulator, frames, LEVEL)
    assert name in ("move_to_level", "move_to_level_with_on_off")
    assert abs(args["level"] - 127) <= 1
    me = world.link.individual_address
    await monitor.wait_for(
        lambda f: (
            f.destination == KNX["brightness_status"]
            and f.source == me
            and f.apdu == bytes([0x00, 0x80, 0x80])
        ),
        within=5,
    )


async def test_a_knxtool_groupread_is_answered_by_the_gateway(
    knxd: Knxd, world: World, monitor: BusMonitor
) -> None:
    await lamp_off(world)
    await knxd.tool("groupswrite", KNX["switch"], "1")
    await until(lambda: on(world), 5)
    await asyncio.sleep(QUIET)
    await knxd.tool("groupread", KNX["switch_status"])
    me = world.link.individual_address
    answer = await monitor.wait_for(
        lambda f: (
            f.destination == KNX["switch_status"] and f.source == me and f.apdu[1] & 0xC0 == 0x40
        ),  # GroupValueResponse
        within=5,
    )
    assert answer.apdu == bytes([0x00, 0x41])


async def test_a_knxd_restart_is_survived_and_the_status_sent_once_after(
    knxd: Knxd, world: World
) -> None:
    await lamp_off(world)
    knxd.stop()
    await until(lambda: not world.link.connected, 20)
    light = world.light_id(LAMP)
    r = await world.http.put(world.url(f"/lights/{light}/state"), json={"on": True})
    assert r.status_code == 200, r.text
    await until(lambda: on(world), 5)
    binding = next(iter((await world.http.get(world.url("/bindings"))).json().values()))
    assert binding["state"] == {"reachable": False, "knx": False, "zigbee": True}
    knxd.start()
    async with BusMonitor(knxd) as monitor:  # the old monitor went with the old knxd
        await until(lambda: world.link.connected, 30)
        me = world.link.individual_address
        await monitor.wait_for(
            lambda f: f.destination == KNX["switch_status"] and f.source == me, within=10
        )
        await asyncio.sleep(QUIET)
        assert status(monitor.frames, KNX["switch_status"], me, 0) == [bytes([0x00, 0x81])]
