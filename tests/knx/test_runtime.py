"""The KNX runtime the gateway starts: virtual mode brings its own emulator."""

from __future__ import annotations

import socket

from gateway.knx.link import LinkState
from gateway.knx.runtime import start_knx_runtime
from gateway.settings import KnxSection


async def test_virtual_mode_starts_the_emulator_and_tunnels_to_it() -> None:
    runtime = await start_knx_runtime(KnxSection(mode="virtual", gateway_port=0))
    try:
        assert runtime.emulator is not None
        await runtime.link.wait_for_state(LinkState.CONNECTED, 5)
        with runtime.link.subscribe("1/0/2") as feedback:
            await runtime.link.write("1/0/1", "1.001", 1)
            await feedback.get(within=1)
        assert runtime.emulator.devices["living_room_light"].on
        assert runtime.status().startswith("knx: connected virtual 127.0.0.1:")
        assert runtime.healthy()
    finally:
        await runtime.stop()
    assert not runtime.emulator.running
    assert runtime.link.state is LinkState.STOPPED


async def test_virtual_mode_falls_back_to_a_free_port_when_the_configured_one_is_busy() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        runtime = await start_knx_runtime(KnxSection(mode="virtual", gateway_port=port))
        try:
            assert runtime.emulator is not None and runtime.emulator.port != port
            await runtime.link.wait_for_state(LinkState.CONNECTED, 5)
        finally:
            await runtime.stop()


async def test_mode_none_has_a_disabled_link_that_is_still_healthy() -> None:
    runtime = await start_knx_runtime(KnxSection(mode="none"))
    try:
        assert runtime.emulator is None
        assert runtime.status() == "knx: disabled"
        assert runtime.healthy()
    finally:
        await runtime.stop()
