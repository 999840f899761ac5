"""REST → telegram on the bus, through the whole Thinknx path (prints figures; not a test).

HTTP client → real uvicorn socket → Thinknx API (auth, parameters, catalogue) → KnxLink →
KNXnet/IP tunnel (UDP, loopback) → KNX emulator, whose bus log timestamps every telegram.

Measured:
* latency from sending ``GET /api/V1/system/sendKNXbyte`` to the telegram on the bus,
  p50/p99 over ``--count`` requests, one at a time;
* sustained telegrams per second reaching the bus from 8 concurrent HTTP clients, with the
  KNX rate limit off and at 20 telegrams/s.

Everything runs in one process and event loop (as the tests do), so the figures include
the emulator's own work; the HTTP client has no rate limit of its own (``thinknx.rate_limit
= 0``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from gateway.app.knx_side import build_thinknx, load_catalogue
from gateway.knx.link import KnxLink, LinkState
from gateway.knx.users import ThinknxUsers
from gateway.settings import KnxSection, ThinknxSection
from gateway.store import Store
from hil.emulators.knx import KnxEmulator, ServerOptions, default_devices
from hil.virtual_knx import VIRTUAL_CATALOGUE

USER, PASSWORD = "bench", "bench-password"
GROUP = "1/7/200"  # no simulated device listens there: only our telegrams


@contextlib.asynccontextmanager
async def running_server(app: Any) -> AsyncIterator[str]:
    """``app`` on uvicorn on a free loopback port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite:///{Path(tmp) / 'gateway.db'}")
        await ThinknxUsers(store.knx).add(USER, PASSWORD)
        emulator = KnxEmulator(default_devices(), options=ServerOptions(heartbeat_timeout=60))
        await emulator.start()
        try:
            for knx_rate in (0, 20):
                await measure(store, emulator, count, knx_rate)
        finally:
            await emulator.stop()
            await store.close()


async def measure(store: Store, emulator: KnxEmulator, count: int, knx_rate: int) -> None:
    link = KnxLink(
        KnxSection(
            mode="tunnel_udp",
            gateway_host="127.0.0.1",
            gateway_port=emulator.port,
            rate_limit=knx_rate,
        )
    )
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 10)
    catalogues = await load_catalogue(store, VIRTUAL_CATALOGUE)
    stack = build_thinknx(link, store, ThinknxSection(rate_limit=0), catalogues)
    try:
        async with running_server(stack.app) as base:
            auth = httpx.BasicAuth(USER, PASSWORD)
            async with httpx.AsyncClient(base_url=base, auth=auth, timeout=30) as client:
                label = "off" if knx_rate == 0 else f"{knx_rate}/s"
                if knx_rate == 0:
                    await latency(client, emulator, count)
                total = count if knx_rate == 0 else 100
                rate = await sustained(client, emulator, total)
                print(
                    f"sustained REST -> bus, KNX rate limit {label}: {rate:8.1f} telegrams/s "
                    f"({total} requests, 8 clients)"
                )
    finally:
        await stack.stop()
        await link.stop()


async def send(client: httpx.AsyncClient, value: int) -> None:
    r = await client.get("/api/V1/system/sendKNXbyte", params={"group": GROUP, "value": value})
    r.raise_for_status()


async def latency(client: httpx.AsyncClient, emulator: KnxEmulator, count: int) -> None:
    for warm in range(20):
        await send(client, warm % 256)
    samples: list[float] = []
    for i in range(count):
        mark = len(emulator.bus_log)
        started = time.monotonic()
        await send(client, i % 256)
        seen = await emulator.wait_for_telegram(
            lambda t: t.destination == GROUP and t.origin.startswith("tunnel"),
            timeout=5,
            since=mark,
        )
        samples.append((seen.at - started) * 1000)
    print(f"REST request -> telegram on the bus ({count} requests, one at a time)")
    print(
        f"  p50 {percentile(samples, 0.50):6.2f} ms   p99 {percentile(samples, 0.99):6.2f} ms"
        f"   mean {statistics.fmean(samples):6.2f} ms   max {max(samples):6.2f} ms"
    )


async def sustained(client: httpx.AsyncClient, emulator: KnxEmulator, total: int) -> float:
    mark = len(emulator.bus_log)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i % 256)

    async def worker() -> None:
        while not queue.empty():
            await send(client, queue.get_nowait())

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(8)))
    ours = [t for t in emulator.bus_log[mark:] if t.destination == GROUP]
    assert len(ours) == total, f"{len(ours)} of {total} telegrams reached the bus"
    return total / (ours[-1].at - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="requests for the latency run")
    asyncio.run(run(parser.parse_args().count))


if __name__ == "__main__":
    main()
