"""KnxLink after a cut: seconds from the restore until the link is back and a write works.

Prints numbers; it is not a test (``tests/knx/test_link_reconnect.py`` and
``hil/test_knx_tunnel_loss.py`` assert the bounds). Shipped settings (probe every 5 s,
3 s request time-out, the shipped retry pacing), UDP tunnel through the HIL suite's relay
(``hil/knx_relay.py``) to the KNX emulator in this process. Each run: cut the relay for a
random time in the range, restore, then measure until the link is CONNECTED and until a
write to the living-room switch gets its status feedback. A short cut that the probe did
not notice leaves the link CONNECTED throughout (0 s to "link back").

Run: ``.venv/bin/python bench/bench_knx_reconnect.py [--runs 5] [--long 31 35]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.knx.errors import KnxTimeout, KnxUnavailable
from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator, default_devices
from hil.knx_relay import KnxRelay


async def one_cut(link: KnxLink, relay: KnxRelay, seconds: float) -> tuple[float, float, bool]:
    """(link back, write back, whether the loss was noticed) in seconds after the restore."""
    losses = link.counters.losses
    relay.cut()
    await asyncio.sleep(seconds)
    relay.restore()
    restored = time.monotonic()
    await link.wait_for_state(LinkState.CONNECTED, 60)
    link_back = time.monotonic() - restored
    while True:
        try:
            with link.subscribe("1/0/2") as feedback:
                await link.write("1/0/1", "1", 1)
                await feedback.get(within=1)
            break
        except (KnxUnavailable, KnxTimeout):  # a write may fail while a loss is noticed
            await asyncio.sleep(0.05)
            await link.wait_for_state(LinkState.CONNECTED, 60)
    return link_back, time.monotonic() - restored, link.counters.losses > losses


async def main(runs: int, short: tuple[float, float], long: tuple[float, float]) -> None:
    emulator = KnxEmulator(default_devices())
    await emulator.start()
    relay = KnxRelay(("127.0.0.1", emulator.port))
    relay.start()
    port = relay.address[1]
    settings = KnxSection(mode="tunnel_udp", gateway_host="127.0.0.1", gateway_port=port)
    link = KnxLink(settings)
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 10)
    rng = random.Random(2026)
    try:
        for name, (low, high) in (("short", short), ("long", long)):
            figures = []
            for _ in range(runs):
                seconds = rng.uniform(low, high)
                link_back, write_back, noticed = await one_cut(link, relay, seconds)
                figures.append((link_back, write_back))
                print(
                    f"{name} cut {seconds:5.1f} s: link back {link_back:.2f} s, write back "
                    f"{write_back:.2f} s after the restore (loss noticed: {noticed})",
                    flush=True,
                )
            print(
                f"{name} cuts {low:g}-{high:g} s, n={runs}: max link back "
                f"{max(f[0] for f in figures):.2f} s, max write back "
                f"{max(f[1] for f in figures):.2f} s",
                flush=True,
            )
    finally:
        await link.stop()
        relay.stop()
        await emulator.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--short", type=float, nargs=2, default=(0.5, 8.0))
    parser.add_argument("--long", type=float, nargs=2, default=(31.0, 35.0))
    args = parser.parse_args()
    asyncio.run(main(args.runs, tuple(args.short), tuple(args.long)))
