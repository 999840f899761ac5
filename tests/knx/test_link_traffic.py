"""Rate limit, concurrency, events and the status cache of KnxLink against the emulator."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

from gateway.knx.link import KnxLink, LinkState
from hil.emulators.knx import KnxEmulator
from tests.knx.conftest import link_settings


async def connected(make_link, emulator: KnxEmulator, **overrides) -> KnxLink:
    link = make_link(link_settings(emulator.port, **overrides))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    return link


def measured_rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0])


async def test_rate_limit_spaces_telegrams_at_the_configured_rate(
    make_link, emulator: KnxEmulator
) -> None:
    link = await connected(make_link, emulator, rate_limit=20, request_timeout=5)
    mark = len(emulator.bus_log)
    await asyncio.gather(*(link.write("7/0/1", "5", i) for i in range(30)))
    times = [t.at for t in emulator.bus_log[mark:] if t.destination == "7/0/1"]
    assert len(times) == 30
    assert 17 <= measured_rate(times) <= 20 * 1.05
    # Starts are scheduled every 50 ms; a start delayed by a busy machine shortens only
    # the gap after it (the schedule keeps the rate). Unlimited, gaps are ~1 ms.
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.035


async def test_without_rate_limit_telegrams_go_as_fast_as_they_are_confirmed(
    make_link, emulator: KnxEmulator
) -> None:
    link = await connected(make_link, emulator, rate_limit=0)
    mark = len(emulator.bus_log)
    await asyncio.gather(*(link.write("7/0/1", "5", i) for i in range(30)))
    times = [t.at for t in emulator.bus_log[mark:] if t.destination == "7/0/1"]
    assert measured_rate(times) > 60


async def test_many_concurrent_writes_all_arrive_once_in_order(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = await connected(make_link, emulator, mode=tunnel_mode, request_timeout=10)
    mark = len(emulator.bus_log)
    await asyncio.gather(*(link.write("7/0/2", "6", i) for i in range(-100, 100)))
    values = [t.payload.value[0] for t in emulator.bus_log[mark:] if t.destination == "7/0/2"]  # type: ignore[union-attr]
    assert values == [i & 0xFF for i in range(-100, 100)]
    assert link.counters.sent == 200 and link.counters.send_failures == 0


async def test_concurrent_reads_each_get_their_own_answer(link: KnxLink) -> None:
    statuses = ["1/0/2", "1/0/4", "1/1/2", "1/1/4", "2/0/5", "2/0/7", "3/0/1", "3/0/3"]
    events = await asyncio.gather(*(link.read(ga) for ga in statuses))
    assert [e.group_address for e in events] == statuses
    assert all(e.kind == "response" and not e.own for e in events)


async def test_telegram_from_the_bus_updates_last_event(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    assert link.last_event("8/0/1") is None
    with link.subscribe("8/0/1") as seen:
        emulator.inject("8/0/1", DPTArray((0x0C, 0x01)), source="1.1.77")
        await seen.get(within=1)
    event = link.last_event("8/0/1")
    assert event is not None
    assert (event.payload, event.kind, event.source, event.own) == (
        DPTArray((0x0C, 0x01)),
        "write",
        "1.1.77",
        False,
    )
    assert link.counters.received >= 1


async def test_own_writes_are_events_marked_own_and_cached(link: KnxLink) -> None:
    with link.subscribe() as everything:
        await link.write("8/0/2", "1", 1)
        event = await everything.get(within=1)
    assert (event.group_address, event.kind, event.own) == ("8/0/2", "write", True)
    assert event.source == link.individual_address
    assert link.last_event("8/0/2") == event


async def test_reads_are_events_but_do_not_replace_the_cached_value(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    with link.subscribe("8/0/3") as seen:
        emulator.inject("8/0/3", DPTBinary(1))
        emulator.inject("8/0/3", kind="read")
        kinds = [(await seen.get(within=1)).kind, (await seen.get(within=1)).kind]
    assert kinds == ["write", "read"]
    cached = link.last_event("8/0/3")
    assert cached is not None and cached.kind == "write"


async def test_group_address_spellings_meet_in_the_cache(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    with link.subscribe("2049") as seen:  # free-form spelling of 1/0/1
        emulator.inject("1/0/1", DPTBinary(1))
        event = await seen.get(within=1)
    assert event.group_address == "1/0/1"
    assert link.last_event("1/0/1") == link.last_event("2049") == event


async def test_full_subscription_keeps_the_newest_events_and_counts_the_dropped(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    with link.subscribe("8/0/4", maxsize=3) as seen:
        for value in range(5):
            emulator.inject("8/0/4", DPTArray((value,)))
        await emulator.wait_for_telegram(lambda t: t.payload == DPTArray((4,)), timeout=1)
        await asyncio.sleep(0.1)
        values = [(await seen.get(within=1)).payload for _ in range(3)]
        assert seen.dropped == 2
    assert values == [DPTArray((2,)), DPTArray((3,)), DPTArray((4,))]
    assert link.counters.dropped_events == 2


async def test_closed_subscription_receives_nothing_and_is_forgotten(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    subscription = link.subscribe("8/0/5")
    subscription.close()
    emulator.inject("8/0/5", DPTBinary(1))
    await asyncio.sleep(0.1)
    assert subscription.get_nowait() is None
    assert link._hub.subscriber_count == 0


@pytest.mark.parametrize(
    "raw_cemi",
    [
        b"",
        b"\x29",  # L_Data.ind, nothing else
        b"\x29\x00\xbc\xe0\x11\x01\x08\x01\x05\x00\x80\x01",  # length says 5, has 2
        b"\x77\x00\xbc\xe0\x11\x01\x08\x01\x01\x00\x80",  # unknown message code
        b"\x29\x00\xbc\xe0\x11\x01\x08\x01\x01\x03\xc0",  # unsupported APCI
    ],
)
async def test_malformed_frames_from_the_server_change_nothing(
    link: KnxLink, emulator: KnxEmulator, raw_cemi: bytes
) -> None:
    before = link.counters
    emulator.inject_raw_cemi(raw_cemi)
    await asyncio.sleep(0.1)
    assert link.state is LinkState.CONNECTED
    assert link.last_event("1/0/1") is None
    assert link.counters == before
    with link.subscribe("1/0/2") as feedback:
        await link.write("1/0/1", "1", 1)
        await feedback.get(within=1)


@pytest.mark.parametrize(
    "datagram",
    [
        b"\x06",  # short header
        b"\x06\x10\x04\x20\x00\x40" + bytes(58),  # tunnelling request, body of zeros
        b"\x06\x10\xff\xff\x00\x06",  # unknown service
    ],
)
async def test_malformed_knxnet_ip_datagrams_change_nothing(
    link: KnxLink, emulator: KnxEmulator, datagram: bytes
) -> None:
    before = link.counters
    emulator.send_raw_datagram(datagram)
    await asyncio.sleep(0.1)
    assert link.state is LinkState.CONNECTED
    assert link.last_event("1/0/1") is None
    assert link.counters == before
    with link.subscribe("1/0/2") as feedback:
        await link.write("1/0/1", "1", 1)
        await feedback.get(within=1)


async def test_a_second_client_sees_the_first_clients_telegrams(
    link: KnxLink, make_link, emulator: KnxEmulator
) -> None:
    other = await connected(make_link, emulator, mode="tunnel_tcp")
    with other.subscribe("8/0/6") as seen:
        await link.write("8/0/6", "9.001", 21.5)
        event = await seen.get(within=1)
    assert event.source == link.individual_address and not event.own
    assert len(emulator.connections) == 2


async def test_link_timestamps_events_with_its_clock(make_link, emulator: KnxEmulator) -> None:
    link = make_link(link_settings(emulator.port), clock=lambda: time.monotonic() + 1000.0)
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    await link.write("8/0/7", "1", 1)
    emulator.inject("8/0/8", DPTBinary(1))
    with link.subscribe("8/0/8") as seen:
        emulator.inject("8/0/8", DPTBinary(0))
        event = await seen.get(within=1)
    own = link.last_event("8/0/7")
    assert own is not None and own.received_at >= 1000
    assert event.received_at - own.received_at < 1
