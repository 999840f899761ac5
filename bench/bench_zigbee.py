"""Zigbee benchmarks: PUT state latency to the serial line, and GET /lights throughput.

1. ``PUT /lights/<id>/state`` -> ``AF.DataRequestExt`` seen by the stick: the time from
   sending the HTTP request (through a real uvicorn socket) until the emulator has read
   and parsed the MT frame from the pty, over 1000 commands; p50/p99 printed beside the
   time that same frame needs on a real UART at 115200 baud (bytes x 10 bits / 115200),
   which a pty does not impose.
2. ``GET /lights`` with 100 lights: requests per second with 8 concurrent clients.
3. Recovery: stick unplugged -> supervisor ``lost``, replugged -> ``running`` again
   (with the test tuning: backoff 0.05..0.3 s; production starts at 0.5 s, caps at 10 s).

Client, gateway and emulator share this machine (and, for 1., one event loop), so the
figures are an upper bound of the gateway's own cost. Prints numbers; not a test.
Run: ``.venv/bin/python bench/bench_zigbee.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import zigpy_znp.commands as mt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.domain.lights.model import (
    Capabilities,
    DiscoveredLight,
    LightAddress,
    LightType,
)
from gateway.domain.radio import RadioState
from tests.zigbee.rig import zigbee_rig

COMMANDS = 1000
LIGHTS = 100
GET_REQUESTS = 3000
GET_CLIENTS = 8
BAUD = 115200


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


async def put_to_wire(directory: Path) -> None:
    async with zigbee_rig(directory, lights=1, paired=1) as rig:
        gw, emulator = rig.gw, rig.emulator
        light = gw.lights.all()[0].rid
        url = gw.url(f"/lights/{light}/state")
        await gw.http.put(url, json={"on": True})
        latencies: list[float] = []
        sizes: list[int] = []
        for n in range(COMMANDS):
            mark = emulator.frame_mark()
            started = time.time()
            r = await gw.http.put(url, json={"bri": 1 + n % 250, "transitiontime": 0})
            assert r.status_code == 200 and "success" in r.json()[0], r.text
            record = next(
                rec
                for rec in emulator.frames(mark)
                if rec.direction == "rx" and isinstance(rec.command, mt.AF.DataRequestExt.Req)
            )
            latencies.append((record.timestamp - started) * 1000)
            sizes.append(len(record.raw))
        size = statistics.median(sizes)
        wire_ms = size * 10 / BAUD * 1000
        print(f"PUT /lights/{light}/state -> AF.DataRequestExt on the pty ({COMMANDS} commands)")
        print(f"  p50 {percentile(latencies, 50):7.2f} ms")
        print(f"  p99 {percentile(latencies, 99):7.2f} ms")
        print(f"  max {max(latencies):7.2f} ms")
        print(f"  UART wire time of that frame ({size:.0f} bytes at {BAUD} baud): {wire_ms:.2f} ms")


async def get_lights(directory: Path) -> None:
    async with zigbee_rig(directory, lights=0) as rig:
        gw = rig.gw
        caps = Capabilities(
            level=True, hue_sat=True, enhanced_hue=True, xy=True, ct=True, colorloop=True,
            identify=True, ct_min=153, ct_max=500, color_capabilities=0x1F,
        )  # fmt: skip
        for n in range(LIGHTS):
            await gw.lights.discovered(
                DiscoveredLight(
                    address=LightAddress(f"00:17:88:01:aa:00:{n >> 8:02x}:{n & 0xFF:02x}", 11),
                    type=LightType.EXTENDED_COLOR,
                    manufacturer="Signify Netherlands B.V.",
                    model="LCT015",
                    swversion="1.104.2",
                    capabilities=caps,
                    state={"on": True, "bri": n % 255},
                ),
                may_add=True,
            )
        url = gw.url("/lights")
        body = await gw.get("/lights")
        assert len(body) == LIGHTS
        size = len((await gw.http.get(url)).content)
        limits = httpx.Limits(max_connections=GET_CLIENTS)
        async with httpx.AsyncClient(base_url=gw.base, limits=limits, timeout=30) as http:
            remaining = GET_REQUESTS

            async def client() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    r = await http.get(url)
                    assert r.status_code == 200

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(GET_CLIENTS)))
            elapsed = time.perf_counter() - started
        rate = GET_REQUESTS / elapsed
        print(f"GET /lights with {LIGHTS} lights ({size} bytes), {GET_CLIENTS} clients at once")
        print(f"  {rate:7.0f} requests/s ({GET_REQUESTS} requests in {elapsed:.1f} s)")


async def recovery(directory: Path) -> None:
    async with zigbee_rig(directory, lights=1, paired=1) as rig:
        supervisor, emulator = rig.gw.supervisor, rig.emulator
        lost_ms: list[float] = []
        back_ms: list[float] = []
        for _ in range(5):
            started = time.perf_counter()
            emulator.unplug()
            while supervisor.reachable:
                await asyncio.sleep(0.001)
            lost_ms.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.5)
            started = time.perf_counter()
            await emulator.replug()
            while supervisor.state is not RadioState.RUNNING:
                await asyncio.sleep(0.005)
            back_ms.append((time.perf_counter() - started) * 1000)
        print("Recovery (5 unplug/replug cycles)")
        print(f"  unplug -> lost:    median {statistics.median(lost_ms):7.1f} ms")
        print(f"  replug -> running: median {statistics.median(back_ms):7.1f} ms")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await put_to_wire(Path(tmp) / "put")
        await get_lights(Path(tmp) / "get")
        await recovery(Path(tmp) / "recovery")


if __name__ == "__main__":
    asyncio.run(main())
