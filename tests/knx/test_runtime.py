"""KnxRuntime: the status line and health the gateway reports for the KNX side."""

from __future__ import annotations

from gateway.knx.link import KnxLink, LinkState
from gateway.knx.runtime import KnxRuntime
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator
from tests.knx.conftest import free_port, link_settings


async def test_status_names_state_mode_and_peer_and_stop_stops_link_and_emulator(
    make_link,
) -> None:
    emulator = KnxEmulator()
    await emulator.start()
    runtime = KnxRuntime(link=make_link(link_settings(emulator.port)), emulator=emulator)
    await runtime.link.start()
    await runtime.link.wait_for_state(LinkState.CONNECTED, 5)
    assert runtime.status() == f"knx: connected tunnel_udp 127.0.0.1:{emulator.port} (emulator)"
    assert runtime.healthy() and runtime.connected
    await runtime.stop()
    assert runtime.link.state is LinkState.STOPPED
    assert not emulator.running


async def test_a_link_that_cannot_connect_is_still_healthy(make_link) -> None:
    port = await free_port()
    runtime = KnxRuntime(link=make_link(link_settings(port)))
    await runtime.link.start()
    assert runtime.status() == f"knx: connecting tunnel_udp 127.0.0.1:{port}"
    assert runtime.healthy()


async def test_disabled_knx_is_healthy_and_says_so() -> None:
    runtime = KnxRuntime(link=KnxLink(KnxSection(mode="none")))
    await runtime.link.start()
    assert runtime.status() == "knx: disabled"
    assert runtime.healthy()
    await runtime.stop()


async def test_a_stopped_link_is_not_healthy(make_link) -> None:
    runtime = KnxRuntime(link=make_link(link_settings(await free_port())))
    await runtime.link.start()
    await runtime.link.stop()
    assert not runtime.healthy()
