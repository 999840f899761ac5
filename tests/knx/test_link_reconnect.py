"""After a cut the link is back within one retry spacing of the restore, however long the cut.

Real peers: KnxLink (xknx) tunnels over UDP through the KNXnet/IP-aware relay of the HIL
suite (``hil/knx_relay.py``) to the emulator; the relay drops every datagram while cut, as a
pulled cable does, and records the CONNECT_REQUESTs the link sends meanwhile. The shipped
pacing is used (1.5 s +-20 % from attempt start to attempt start), so "back" must come
within 1.8 s of the restore plus the time a connect and a write take on loopback.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable, Iterator

import pytest

from gateway.knx.link import KnxLink, LinkState
from gateway.knx.reconnect import RetryPacer
from hil.emulators.knx import KnxEmulator
from hil.knx_relay import KnxRelay
from tests.knx.conftest import link_settings

SPACING_MAX = 1.5 * 1.2  # reconnect.py: RETRY_SPACING + JITTER
# The restore may come just after an attempt was swallowed: the next one starts at most one
# spacing later; connecting and a write with feedback then take milliseconds on loopback,
# and a loaded test machine may preempt us for a while.
BACK_BOUND = SPACING_MAX + 0.5
LONG_CUT = 12.0  # long enough for the old back-off (doubling from 0.5 s) to reach 8 s


@pytest.fixture
def relay(emulator: KnxEmulator) -> Iterator[KnxRelay]:
    """The relay in front of the emulator (UDP)."""
    with_relay = KnxRelay(("127.0.0.1", emulator.port))
    with_relay.start()
    yield with_relay
    with_relay.stop()


async def _connected_link(
    make_link: Callable[..., KnxLink], relay: KnxRelay, **kwargs: object
) -> KnxLink:
    link = make_link(link_settings(relay.address[1]), **kwargs)
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    return link


async def _lose(link: KnxLink, relay: KnxRelay) -> None:
    """Cut the path and wait until the link has noticed (probe_interval 0.3 s: ~1.2 s)."""
    relay.cut()
    await link.wait_for_state(LinkState.LOST, link.loss_detection_bound + 1)


async def _seconds_until_back(link: KnxLink, relay: KnxRelay) -> float:
    """Restore the path; seconds until a write is confirmed and the actuator answers."""
    relay.restore()
    restored = time.monotonic()
    await link.wait_for_state(LinkState.CONNECTED, 15)
    with link.subscribe("1/0/2") as feedback:
        await link.write("1/0/1", "1", 1)
        await feedback.get(within=1)
    return time.monotonic() - restored


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


async def test_link_is_back_within_one_retry_spacing_after_a_long_cut(
    make_link: Callable[..., KnxLink], relay: KnxRelay
) -> None:
    link = await _connected_link(make_link, relay)
    await _lose(link, relay)
    await asyncio.sleep(LONG_CUT)
    swallowed = [a.at for a in relay.connect_requests if a.dropped]
    back = await _seconds_until_back(link, relay)
    assert back <= BACK_BOUND, f"back {back:.2f} s after the restore"
    # While cut the link kept asking at the steady pace, never backing off.
    assert len(swallowed) >= LONG_CUT / SPACING_MAX
    assert all(0.9 <= gap <= SPACING_MAX + 0.3 for gap in _gaps(swallowed)), _gaps(swallowed)


async def test_link_is_back_within_one_retry_spacing_after_short_cuts(
    make_link: Callable[..., KnxLink], relay: KnxRelay
) -> None:
    link = await _connected_link(make_link, relay)
    rng = random.Random(12)
    backs = []
    for _ in range(3):
        await _lose(link, relay)
        await asyncio.sleep(rng.uniform(0.2, 3.0))  # the restore lands at any phase of a retry
        backs.append(await _seconds_until_back(link, relay))
    assert max(backs) <= BACK_BOUND, backs
    assert link.counters.losses == 3


async def test_refusals_slow_the_attempts_down_and_silence_does_not(
    make_link: Callable[..., KnxLink], emulator: KnxEmulator, relay: KnxRelay
) -> None:
    # Refusals answer at once, so the back-off alone spaces them: scaled down by 10 (0.3 s,
    # 0.6 s, 1.2 s, then the 2.4 s cap) to keep the test short.
    pacer = RetryPacer(spacing=0.15, refused_max=2.4)
    link = await _connected_link(make_link, relay, pacer=pacer)
    emulator.refuse_connections = True
    await emulator.disconnect_clients()  # the interface drops us, then refuses us
    await link.wait_for_state(LinkState.LOST, 1)
    await asyncio.sleep(5.0)
    refused = [a.at for a in relay.connect_requests if not a.dropped][1:]  # [0]: first connect
    assert "E_NO_MORE_CONNECTIONS" in (link.last_error or "")
    refused_gaps = _gaps(refused)
    assert 0.2 < refused_gaps[0] < 0.45 and 0.45 < refused_gaps[1] < 0.8, refused_gaps
    assert 0.9 < refused_gaps[2] < 1.6 and max(refused_gaps) <= 2.4 + 0.15, refused_gaps

    # Now the interface is silent instead: the back-off ends; an unanswered attempt lasts
    # xknx's 1 s CONNECT time-out, longer than the scaled spacing, so they follow each other.
    relay.cut()
    emulator.refuse_connections = False
    cut_at = time.monotonic()
    await asyncio.sleep(5.0)
    silent = [a.at for a in relay.connect_requests if a.dropped and a.at > cut_at]
    assert len(silent) >= 3 and max(_gaps(silent)) < 1.5, _gaps(silent)
    relay.restore()
    await link.wait_for_state(LinkState.CONNECTED, 1.5)


async def test_link_is_back_within_one_retry_spacing_after_a_long_silence(
    make_link: Callable[..., KnxLink], emulator: KnxEmulator, tunnel_mode: str
) -> None:
    """Without the relay, UDP and TCP: the interface stops answering (TCP stays open)."""
    link = make_link(link_settings(emulator.port, tunnel_mode))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    emulator.go_silent()
    await link.wait_for_state(LinkState.LOST, link.loss_detection_bound + 1)
    await asyncio.sleep(8.0)  # the old back-off had reached 4-8 s here
    emulator.resume()
    resumed = time.monotonic()
    await link.wait_for_state(LinkState.CONNECTED, 15)
    with link.subscribe("1/0/2") as feedback:
        await link.write("1/0/1", "1", 1)
        await feedback.get(within=1)
    back = time.monotonic() - resumed
    assert back <= BACK_BOUND, f"back {back:.2f} s after the interface answered again"
