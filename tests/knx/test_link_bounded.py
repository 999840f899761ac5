"""Every send and read waits at most ``request_timeout``; bad input never reaches the bus."""

from __future__ import annotations

import asyncio
import time

import pytest
from xknx.dpt.payload import DPTBinary

from gateway.knx.dpt import DptValueError, UnsupportedDpt
from gateway.knx.errors import KnxAddressError, KnxTimeout
from gateway.knx.link import KnxLink, LinkState
from hil.emulators.knx import KnxEmulator
from tests.knx.conftest import link_settings

SLACK = 0.25


async def connected(make_link, emulator: KnxEmulator, **overrides) -> KnxLink:
    link = make_link(link_settings(emulator.port, **overrides))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    return link


async def test_write_without_confirmation_fails_within_the_request_timeout(
    make_link, emulator: KnxEmulator
) -> None:
    link = await connected(make_link, emulator, request_timeout=0.5)
    emulator.options.send_confirmations = False  # the interface never sends L_Data.con
    started = time.monotonic()
    with pytest.raises(KnxTimeout):
        await link.write("1/0/1", "1", 1)
    assert time.monotonic() - started <= 0.5 + SLACK


async def test_write_to_a_silent_server_fails_within_the_request_timeout(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = await connected(
        make_link, emulator, mode=tunnel_mode, request_timeout=0.5, probe_interval=30
    )
    emulator.go_silent()
    started = time.monotonic()
    with pytest.raises(KnxTimeout):
        await link.write("1/0/1", "1", 1)
    assert time.monotonic() - started <= 0.5 + SLACK


async def test_read_nobody_answers_fails_within_the_request_timeout(
    make_link, emulator: KnxEmulator
) -> None:
    link = await connected(make_link, emulator, request_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(KnxTimeout, match="no GroupValueResponse from 7/7/7"):
        await link.read("7/7/7")
    assert 0.5 <= time.monotonic() - started <= 0.5 + SLACK


async def test_read_ignores_writes_and_waits_for_the_response(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    emulator.devices["living_room_light"].read_delay = 0.2
    reading = asyncio.create_task(link.read("1/0/2"))
    await emulator.wait_for_telegram(lambda t: t.kind == "read", timeout=1)
    emulator.inject("1/0/2", DPTBinary(1))  # a write from elsewhere does not answer a read
    event = await reading
    assert event.kind == "response" and event.source == "1.1.1"


async def test_a_write_that_timed_out_in_the_queue_is_never_sent_later(
    make_link, emulator: KnxEmulator
) -> None:
    link = await connected(make_link, emulator, request_timeout=0.4, rate_limit=2)
    mark = len(emulator.bus_log)
    results = await asyncio.gather(
        *(link.write("1/0/3", "5", value) for value in (1, 2, 3)), return_exceptions=True
    )
    # At 2/s the first goes at once, the second would start at 0.5 s: past its 0.4 s bound.
    assert results[0] is None
    assert all(isinstance(r, KnxTimeout) for r in results[1:])
    await asyncio.sleep(1.5)
    sent = [t for t in emulator.bus_log[mark:] if t.destination == "1/0/3"]
    assert [t.payload.value for t in sent] == [(1,)]  # type: ignore[union-attr]


async def test_out_of_range_value_is_rejected_before_anything_is_sent(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    mark = len(emulator.bus_log)
    with pytest.raises(DptValueError):
        await link.write("1/0/1", "5.001", 101)
    with pytest.raises(DptValueError):
        await link.write("1/0/1", "9", float("nan"))
    with pytest.raises(UnsupportedDpt):
        await link.write("1/0/1", "20.102", 1)
    await asyncio.sleep(0.1)
    assert emulator.bus_log[mark:] == []


@pytest.mark.parametrize("address", ["", "32/0/0", "1/8/0", "1/0/256", "0/0/0", "a/b/c", "1.1.1"])
async def test_invalid_group_address_is_rejected_before_anything_is_sent(
    link: KnxLink, emulator: KnxEmulator, address: str
) -> None:
    mark = len(emulator.bus_log)
    with pytest.raises(KnxAddressError):
        await link.write(address, "1", 1)
    with pytest.raises(KnxAddressError):
        await link.read(address)
    assert emulator.bus_log[mark:] == []
