"""KnxLink against knxd, a real third-party KNXnet/IP tunnelling server (Debian 12: 0.14.54).

knxd 0.14.54 has no KNXnet/IP TCP tunnelling (it came in 0.14.68), so these tests tunnel
over UDP; TCP is covered against our emulator. knxtool observes the bus byte by byte
(``vbusmonitor1``) and injects telegrams (``groupwrite``/``groupswrite``) through knxd's
unix socket. See ``knxd_peer.py`` for why knxd runs in a private network namespace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

from gateway.knx.errors import KnxUnavailable
from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from tests.knx.conftest import AT_ONCE, link_settings
from tests.knx.knxd_peer import BusMonitor, Knxd, running_knxd

pytestmark = pytest.mark.knxd


@pytest.fixture
def knxd(tmp_path: Path) -> Iterator[Knxd]:
    """knxd as a tunnelling server."""
    with running_knxd(tmp_path, routing=False) as daemon:
        yield daemon


@pytest.fixture
def routing_knxd(tmp_path: Path) -> Iterator[Knxd]:
    """knxd as a tunnelling server and a KNXnet/IP router (multicast on the namespace's lo)."""
    with running_knxd(tmp_path, routing=True) as daemon:
        yield daemon


@pytest.fixture
async def monitor(knxd: Knxd) -> AsyncIterator[BusMonitor]:
    async with BusMonitor(knxd) as bus:
        yield bus


@pytest.fixture
async def knxd_link(knxd: Knxd, make_link: Callable[[KnxSection], KnxLink]) -> KnxLink:
    link = make_link(link_settings(knxd.port, probe_interval=0.5))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    return link


@pytest.mark.parametrize(
    ("ga", "dpt", "value", "apdu"),
    [
        ("1/0/1", "1.001", 1, "00 81"),
        ("1/0/2", "1.001", 0, "00 80"),
        ("1/0/3", "2.001", 3, "00 83"),
        ("1/0/4", "3.007", 0b1011, "00 8B"),
        ("1/0/5", "5.001", 50, "00 80 80"),
        ("1/0/6", "5", 255, "00 80 FF"),
        ("1/0/7", "6", -128, "00 80 80"),
        ("1/0/8", "9.001", 20.5, "00 80 0C 01"),
        ("1/0/9", "9.001", -30.0, "00 80 8A 24"),
        ("1/0/10", "14", 1.0, "00 80 3F 80 00 00"),
        ("1/0/11", "14", -2.5, "00 80 C0 20 00 00"),
    ],
)
async def test_link_puts_the_right_bytes_on_the_bus(
    knxd_link: KnxLink, monitor: BusMonitor, ga: str, dpt: str, value: float, apdu: str
) -> None:
    await knxd_link.write(ga, dpt, value)
    frame = await monitor.wait_for(lambda f: f.destination == ga, within=2)
    assert frame.apdu == bytes.fromhex(apdu)
    assert frame.source == knxd_link.individual_address


async def test_telegram_injected_with_knxtool_updates_last_event(
    knxd: Knxd, knxd_link: KnxLink
) -> None:
    with knxd_link.subscribe("2/1/0") as seen:
        await knxd.tool("groupwrite", "2/1/0", "0c", "01")
        event = await seen.get(within=2)
    assert event == knxd_link.last_event("2/1/0")
    assert (event.kind, event.payload, event.own) == ("write", DPTArray((0x0C, 0x01)), False)
    with knxd_link.subscribe("2/1/1") as seen:
        await knxd.tool("groupswrite", "2/1/1", "1")
        await seen.get(within=2)
    small = knxd_link.last_event("2/1/1")
    assert small is not None and small.payload == DPTBinary(1)


async def test_read_through_knxd_is_answered_by_another_client(
    knxd: Knxd, knxd_link: KnxLink, make_link: Callable[[KnxSection], KnxLink]
) -> None:
    responder = make_link(link_settings(knxd.port))
    await responder.start()
    await responder.wait_for_state(LinkState.CONNECTED, 5)

    async def answer_reads() -> None:
        with responder.subscribe("3/0/1") as reads:
            async for event in reads:
                if event.kind == "read":
                    await responder.respond_raw("3/0/1", DPTArray((0x0C, 0x33)))

    answering = asyncio.create_task(answer_reads())
    try:
        await asyncio.sleep(0.05)
        event = await knxd_link.read("3/0/1")
    finally:
        answering.cancel()
    assert (event.kind, event.payload) == ("response", DPTArray((0x0C, 0x33)))
    assert event.source == responder.individual_address


async def test_link_recovers_when_knxd_restarts_on_the_same_port(
    knxd: Knxd, knxd_link: KnxLink
) -> None:
    knxd.stop()
    stopped = time.monotonic()
    await knxd_link.wait_for_state(LinkState.LOST, knxd_link.loss_detection_bound + 0.5)
    assert time.monotonic() - stopped <= knxd_link.loss_detection_bound + 0.5
    started = time.monotonic()
    with pytest.raises(KnxUnavailable):
        await knxd_link.write("1/0/1", "1", 1)
    assert time.monotonic() - started < AT_ONCE
    knxd.start()
    await knxd_link.wait_for_state(LinkState.CONNECTED, 5)
    async with BusMonitor(knxd) as monitor:
        await knxd_link.write("1/0/1", "1", 1)
        await monitor.wait_for(lambda f: f.destination == "1/0/1", within=2)
    assert knxd_link.counters.losses == 1


async def test_routing_link_exchanges_telegrams_with_knxd(
    routing_knxd: Knxd, make_link: Callable[[KnxSection], KnxLink]
) -> None:
    knxd = routing_knxd
    link = make_link(
        link_settings(
            knxd.port,
            mode="routing",
            local_ip="127.0.0.1",
            multicast_port=knxd.port,
            individual_address="1.1.200",
        )
    )
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    async with BusMonitor(knxd) as monitor:
        await link.write("1/0/1", "9.001", 20.5)
        frame = await monitor.wait_for(lambda f: f.destination == "1/0/1", within=2)
    assert (frame.source, frame.apdu) == ("1.1.200", bytes.fromhex("00 80 0C 01"))
    with link.subscribe("2/0/0") as seen:
        await knxd.tool("groupwrite", "2/0/0", "0c", "01")
        event = await seen.get(within=2)
    assert (event.payload, event.own) == (DPTArray((0x0C, 0x01)), False)
