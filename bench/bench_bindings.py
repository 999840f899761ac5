"""Bindings benchmarks: the latency the gateway adds between the buses, and a central off.

1. KNX telegram in -> Zigbee frame on the air: a wall switch (an xknx tunnel) writes the
   lamp's switch address; measured from the moment the gateway's KNX link received the
   telegram (its event timestamp) to the OnOff frame on the emulated air, and also from
   the wall switch's send (which adds the KNX emulator's and xknx's own hops).
2. Lamp report -> KNX status telegram: from the lamp's OnOff attribute report on the air
   to the gateway's status telegram leaving its KNX link.
3. Central off: 20 lamps, each bound with its own switch address and one central address;
   the central telegram with the lamps in one Zigbee group (one groupcast expected) and
   without a group (one unicast per lamp), frames on the air and time until all are off.
   (21 lamps are paired so that group 0, all lamps, is not the group that fits.)

Everything (wall switch, both emulators, zigpy-znp, the gateway) shares this machine and,
except the emulator's pty reader, one event loop: the figures are an upper bound of the
gateway's own cost. Prints numbers; not a test. Run: ``.venv/bin/python bench/bench_bindings.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xknx.dpt.payload import DPTBinary

from gateway.domain.lights import StateRequest
from tests.bindings.world import World, bindings_world
from tests.helpers.waiting import until
from tests.zigbee.rig import zigbee_rig

ROUNDS = 200
CENTRAL_LAMPS = 20
ON_OFF = 0x0006
REPORT_ATTRIBUTES = 0x0A


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name}: n={len(ms)} p50={percentile(ms, 50):.1f} ms p99={percentile(ms, 99):.1f} ms "
        f"mean={statistics.fmean(ms):.1f} ms max={max(ms):.1f} ms"
    )


def is_report(record: dict[str, object]) -> bool:
    data = bytes.fromhex(str(record["data"]))
    return (
        record["dir"] == "up"
        and record["cluster"] == ON_OFF
        and len(data) > 2
        and (data[2] == REPORT_ATTRIBUTES)
    )


async def latency(world: World) -> None:
    light = world.light_id(1)
    switch, status = "1/5/1", "1/5/2"
    await world.create(
        {
            "target": {"type": "light", "id": light},
            "knx": {"switch": switch, "switch_status": status},
        }
    )
    air = world.rig.emulator.air_log
    into_zigbee: list[float] = []
    wall_to_air: list[float] = []
    to_knx: list[float] = []
    await world.wall.write(switch, DPTBinary(0))  # a known start: off
    await asyncio.sleep(1.0)
    with world.link.subscribe(None, maxsize=256) as events:
        for n in range(ROUNDS):
            value = 1 - n % 2
            since = air.last_seq
            sent_at = time.time()
            await world.wall.write(switch, DPTBinary(value))
            received = own = None
            deadline = time.monotonic() + 5
            while own is None and time.monotonic() < deadline:
                event = await events.get(within=5)
                if event.group_address == switch and not event.own and received is None:
                    received = event.received_at
                elif event.group_address == status and event.own:
                    own = event.received_at
            assert received is not None and own is not None, f"round {n}: nothing came back"
            frames = air.records(since, cluster=ON_OFF)
            command = next(f for f in frames if f["dir"] == "down")
            report = next(f for f in frames if is_report(f))
            into_zigbee.append(float(command["time"]) - received)
            wall_to_air.append(float(command["time"]) - sent_at)
            to_knx.append(own - float(report["time"]))
    stack: list[float] = []
    service = world.rig.gw.lights
    for n in range(ROUNDS):
        since = air.last_seq
        started = time.time()
        await service.set_state(light, StateRequest((("on", n % 2 == 0),)))
        frame = next(f for f in air.records(since, cluster=ON_OFF) if f["dir"] == "down")
        stack.append(float(frame["time"]) - started)
        await asyncio.sleep(0.02)
    print(line("LightsService.set_state -> frame on the air (the Zigbee stack's share)", stack))
    print(line("KNX in -> Zigbee frame on the air (gateway)", into_zigbee))
    print(line("KNX in -> Zigbee frame on the air (from the wall switch's send)", wall_to_air))
    print(line("lamp report on the air -> KNX status telegram (gateway)", to_knx))


async def central_off(world: World, *, grouped: bool) -> None:
    lamps = list(range(1, CENTRAL_LAMPS + 1))
    ids = [world.light_id(i) for i in lamps]
    if grouped:
        r = await world.http.post(world.url("/groups"), json={"name": "all", "lights": ids})
        gid = int(r.json()[0]["success"]["id"])
        device = world.rig.emulator.device
        from tests.zigbee.rig import ieee

        await until(lambda: all(device(ieee(i)).in_group(gid) for i in lamps), 60)
    existing = (await world.http.get(world.url("/bindings"))).json()
    for ident in existing:
        await world.http.delete(world.url(f"/bindings/{ident}"))
    for lamp, light in zip(lamps, ids, strict=True):
        knx = {"switch": [f"2/1/{lamp}", "2/0/0"], "switch_status": f"2/2/{lamp}"}
        await world.create({"target": {"type": "light", "id": light}, "knx": knx})
    emulator = world.rig.emulator

    def on(i: int) -> bool:
        return bool(world.rig.emu_value(i, ON_OFF, "on_off"))

    await world.wall.write("2/0/0", DPTBinary(1))
    await until(lambda: all(on(i) for i in lamps), 30)
    await asyncio.sleep(2)
    since = emulator.air_log.last_seq
    started = time.monotonic()
    await world.wall.write("2/0/0", DPTBinary(0))
    await until(lambda: not any(on(i) for i in lamps), 30, step=0.005)
    took = time.monotonic() - started
    down = [f for f in emulator.air_log.records(since, cluster=ON_OFF) if f["dir"] == "down"]
    groupcasts = sum(1 for f in down if f["dst_mode"] == "group")
    print(
        f"central off to {CENTRAL_LAMPS} lamps ({'one group' if grouped else 'no group'}): "
        f"{groupcasts} groupcast(s), {len(down) - groupcasts} unicast(s), all off after "
        f"{took * 1000:.0f} ms"
    )


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "four"
        directory.mkdir()
        async with zigbee_rig(directory, lights=4, paired=4):
            pass
        async with bindings_world(directory) as world:
            await latency(world)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "twenty"
        directory.mkdir()
        # One lamp more than the central function reaches, so that group 0 (all lamps)
        # is not the group that fits.
        async with zigbee_rig(directory, lights=CENTRAL_LAMPS + 1, paired=CENTRAL_LAMPS + 1):
            pass
        async with bindings_world(directory, lights=CENTRAL_LAMPS + 1) as world:
            await central_off(world, grouped=False)
            await central_off(world, grouped=True)


if __name__ == "__main__":
    asyncio.run(main())
