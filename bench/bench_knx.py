"""KnxLink benchmark: write -> telegram on the bus latency, and sustained telegrams per second.

Prints numbers; it is not a test. Peers:

* the KNX emulator in this process: "on the bus" is the moment the emulator's line logs the
  telegram (same clock as the writer);
* knxd (when installed and run as root), in a private network namespace as in the tests:
  "on the bus" is the moment a second tunnel client (another KnxLink) receives the telegram
  as L_Data.ind from knxd.

Run: ``.venv/bin/python bench/bench_knx.py [--count 1000]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator

OnBus = Callable[[str, int], Awaitable[float]]


def settings(port: int, rate_limit: int = 0) -> KnxSection:
    return KnxSection(
        mode="tunnel_udp",
        gateway_host="127.0.0.1",
        gateway_port=port,
        rate_limit=rate_limit,
        request_timeout=30,
    )


async def connected(port: int, rate_limit: int = 0) -> KnxLink:
    link = KnxLink(settings(port, rate_limit))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 10)
    return link


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report_latency(name: str, samples: list[float]) -> None:
    ms = [s * 1000 for s in samples]
    print(
        f"{name}: n={len(ms)} p50={percentile(ms, 50):.2f} ms p99={percentile(ms, 99):.2f} ms"
        f" mean={statistics.fmean(ms):.2f} ms max={max(ms):.2f} ms"
    )


async def latency(link: KnxLink, on_bus: OnBus, count: int) -> tuple[list[float], list[float]]:
    """Sequential writes: time until the telegram is on the bus, and until write() returns."""
    to_bus: list[float] = []
    to_return: list[float] = []
    for i in range(count):
        value = i & 0xFF
        started = time.monotonic()
        seen = asyncio.ensure_future(on_bus("9/0/1", value))
        await link.write("9/0/1", "5", value)
        returned = time.monotonic()
        at = await seen
        to_bus.append(at - started)
        to_return.append(returned - started)
    return to_bus, to_return


async def throughput(link: KnxLink, arrivals: Callable[[], list[float]], count: int) -> float:
    """Queue ``count`` writes at once; telegrams per second between first and last arrival."""
    before = len(arrivals())
    await asyncio.gather(*(link.write("9/0/2", "5", i & 0xFF) for i in range(count)))
    await asyncio.sleep(0.2)
    times = arrivals()[before:]
    if len(times) < 2:
        return float("nan")
    return (len(times) - 1) / (times[-1] - times[0])


async def bench_emulator(count: int) -> None:
    emulator = KnxEmulator()
    await emulator.start()
    try:

        async def on_bus(ga: str, value: int) -> float:
            entry = await emulator.wait_for_telegram(
                lambda t: t.destination == ga and t.payload is not None
                and t.payload.value == (value,),
                timeout=5,
                since=max(0, len(emulator.bus_log) - 1),
            )  # fmt: skip
            return entry.at

        def arrivals() -> list[float]:
            return [t.at for t in emulator.bus_log if t.destination == "9/0/2"]

        link = await connected(emulator.port)
        to_bus, to_return = await latency(link, on_bus, count)
        report_latency("emulator  write -> on bus      ", to_bus)
        report_latency("emulator  write -> confirmed   ", to_return)
        rate = await throughput(link, arrivals, count)
        print(f"emulator  sustained, rate limit off: {rate:.0f} telegrams/s ({count} telegrams)")
        await link.stop()
        limited = await connected(emulator.port, rate_limit=20)
        rate = await throughput(limited, arrivals, 100)
        print(f"emulator  sustained, rate limit 20/s: {rate:.1f} telegrams/s (100 telegrams)")
        await limited.stop()
    finally:
        await emulator.stop()


async def bench_knxd(count: int) -> None:
    from tests.knx.knxd_peer import Knxd, inside, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        print(f"knxd: skipped ({reason})")
        return
    with tempfile.TemporaryDirectory() as directory:
        daemon = Knxd(Path(directory))
        daemon.create_namespace()
        try:
            with inside(daemon.namespace):
                daemon.pick_port()
                daemon.start()
                await _bench_knxd_inside(daemon.port, count)
        finally:
            daemon.destroy()


async def _bench_knxd_inside(port: int, count: int) -> None:
    observer = await connected(port)
    seen: list[tuple[str, int, float]] = []
    changed = asyncio.Event()

    async def watch() -> None:
        with observer.subscribe(maxsize=100000) as events:
            async for event in events:
                value = event.payload.value[0] if event.payload is not None else -1  # type: ignore[index]
                seen.append((event.group_address, value, event.received_at))
                changed.set()

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0.1)

    async def on_bus(ga: str, value: int) -> float:
        mark = max(0, len(seen) - 1)
        while True:
            for address, got, at in seen[mark:]:
                if address == ga and got == value:
                    return at
            changed.clear()
            await asyncio.wait_for(changed.wait(), 5)

    def arrivals() -> list[float]:
        return [at for address, _, at in seen if address == "9/0/2"]

    try:
        link = await connected(port)
        to_bus, to_return = await latency(link, on_bus, count)
        report_latency("knxd      write -> other client", to_bus)
        report_latency("knxd      write -> confirmed   ", to_return)
        rate = await throughput(link, arrivals, count)
        print(f"knxd      sustained, rate limit off: {rate:.0f} telegrams/s ({count} telegrams)")
        await link.stop()
        limited = await connected(port, rate_limit=20)
        rate = await throughput(limited, arrivals, 100)
        print(f"knxd      sustained, rate limit 20/s: {rate:.1f} telegrams/s (100 telegrams)")
        await limited.stop()
    finally:
        watcher.cancel()
        await observer.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="telegrams per measurement")
    args = parser.parse_args()
    await bench_emulator(args.count)
    await bench_knxd(args.count)


if __name__ == "__main__":
    asyncio.run(main())
