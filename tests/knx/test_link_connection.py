"""KnxLink connects in the background, keeps retrying (reconnect.py's pacing), and recovers.

Real peers only: xknx inside KnxLink talks to the emulator over loopback UDP/TCP.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from gateway.knx.errors import KnxConfigError, KnxUnavailable
from gateway.knx.link import KnxLink, LinkState
from gateway.knx.reconnect import RetryPacer
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator, ServerOptions, default_devices
from tests.knx.conftest import AT_ONCE, free_port, link_settings


async def test_start_returns_at_once_when_no_server_listens(make_link) -> None:
    link = make_link(link_settings(await free_port()))
    started = time.monotonic()
    await link.start()
    assert time.monotonic() - started < 0.5  # a connect attempt alone may take seconds
    assert link.state is LinkState.CONNECTING


async def test_send_while_connecting_fails_at_once_with_unavailable(make_link) -> None:
    link = make_link(link_settings(await free_port()))
    await link.start()
    started = time.monotonic()
    with pytest.raises(KnxUnavailable, match="connecting"):
        await link.write("1/0/1", "1", 1)
    assert time.monotonic() - started < AT_ONCE


async def test_link_connects_when_the_server_appears_late(make_link, tunnel_mode) -> None:
    port = await free_port()
    link = make_link(link_settings(port, tunnel_mode))
    await link.start()
    await asyncio.sleep(1.5)  # several attempts fail meanwhile
    assert link.state is LinkState.CONNECTING
    assert link.last_error is not None and "connect failed" in link.last_error
    emulator = KnxEmulator(default_devices(), port=port, tcp=True)
    await emulator.start()
    try:
        appeared = time.monotonic()
        await link.wait_for_state(LinkState.CONNECTED, 5)
        # The next attempt starts within one retry spacing (1.5 s +20 %) of the last one.
        assert time.monotonic() - appeared < 2.5
        with link.subscribe("1/0/2") as feedback:
            await link.write("1/0/1", "1", 1)
            await feedback.get(within=1)
    finally:
        await emulator.stop()


async def test_refused_connects_back_off_exponentially_up_to_the_cap(make_link) -> None:
    emulator = KnxEmulator(options=ServerOptions(refuse_connections=True))
    await emulator.start()
    try:
        pacer = RetryPacer(spacing=0.1, refused_max=0.8)
        link = make_link(link_settings(emulator.port), pacer=pacer)
        await link.start()
        await asyncio.sleep(4.0)
        assert link.state is LinkState.CONNECTING
        assert "E_NO_MORE_CONNECTIONS" in (link.last_error or "")
        times = emulator.server.connect_requests
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # 0.2, 0.4 (each +-20 %), then capped at 0.8
        assert 0.15 < gaps[0] < 0.35 and 0.3 < gaps[1] < 0.6
        assert all(gap < 0.8 + 0.1 for gap in gaps)
        assert max(gaps[3:]) > 0.6
        emulator.refuse_connections = False
        await link.wait_for_state(LinkState.CONNECTED, 2)
    finally:
        await emulator.stop()


async def test_link_recovers_when_the_server_restarts_without_restarting_the_link(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = make_link(link_settings(emulator.port, tunnel_mode))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    await emulator.restart()  # the server forgot our channel
    await link.wait_for_state(LinkState.LOST, 3)
    await link.wait_for_state(LinkState.CONNECTED, 5)
    with link.subscribe("1/0/2") as feedback:
        await link.write("1/0/1", "1", 1)
        await feedback.get(within=1)
    assert link.counters.losses == 1
    assert link.counters.connects == 2


async def test_server_initiated_disconnect_is_noticed_at_once(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = make_link(link_settings(emulator.port, tunnel_mode, probe_interval=30))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    started = time.monotonic()
    await emulator.disconnect_clients()
    await link.wait_for_state(LinkState.LOST, 1)
    assert time.monotonic() - started < 0.5  # xknx's report, not the 30 s probe
    await link.wait_for_state(LinkState.CONNECTED, 3)


async def test_a_read_waiting_for_its_answer_fails_with_unavailable_when_the_link_drops(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = make_link(
        link_settings(emulator.port, tunnel_mode, probe_interval=30, request_timeout=5)
    )
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    read = asyncio.create_task(link.read("7/7/7"))  # nobody answers on 7/7/7
    await asyncio.sleep(0.2)
    assert not read.done()
    started = time.monotonic()
    await emulator.disconnect_clients()
    with pytest.raises(KnxUnavailable, match="lost"):
        await asyncio.wait_for(read, 2)
    assert time.monotonic() - started < 1  # the drop, not the 5 s request timeout


async def test_tcp_connection_closed_by_the_server_is_noticed_at_once(
    make_link, emulator: KnxEmulator
) -> None:
    link = make_link(link_settings(emulator.port, "tunnel_tcp", probe_interval=30))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    started = time.monotonic()
    await emulator.stop()
    await link.wait_for_state(LinkState.LOST, 1)
    assert time.monotonic() - started < 0.5
    with pytest.raises(KnxUnavailable):
        await link.write("1/0/1", "1", 1)


async def test_tcp_link_gets_the_individual_address_it_asks_for(
    make_link, emulator: KnxEmulator
) -> None:
    link = make_link(link_settings(emulator.port, "tunnel_tcp", individual_address="1.1.243"))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    assert link.individual_address == "1.1.243"
    assert [c.individual_address for c in emulator.connections] == ["1.1.243"]


async def test_stop_disconnects_and_later_sends_fail_with_unavailable(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    await link.stop()
    assert link.state is LinkState.STOPPED
    await asyncio.sleep(0.05)
    assert emulator.connections == []
    with pytest.raises(KnxUnavailable):
        await link.write("1/0/1", "1", 1)


async def test_link_can_be_started_again_after_stop_and_keeps_counting(link: KnxLink) -> None:
    await link.write("1/0/1", "1", 1)
    await link.stop()
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    await link.write("1/0/1", "1", 0)
    assert (link.counters.sent, link.counters.connects) == (2, 2)


async def test_mode_none_never_connects_and_sends_fail_fast(make_link) -> None:
    link = make_link(KnxSection(mode="none"))
    await link.start()
    assert link.state is LinkState.STOPPED
    with pytest.raises(KnxUnavailable, match="disabled"):
        await link.write("1/0/1", "1", 1)


@pytest.mark.parametrize("mode", ["tunnel_udp", "tunnel_tcp"])
def test_tunnel_without_gateway_host_is_a_configuration_error(mode: str) -> None:
    with pytest.raises(KnxConfigError, match=r"knx\.gateway_host"):
        KnxLink(KnxSection(mode=mode))  # type: ignore[arg-type]
