"""The suite's own KNX fault tool: the relay carries a real tunnel, and its faults work.

Why test the tool: the tunnel-loss scenarios conclude things about the gateway from what the
relay does; if the relay leaked datagrams around itself (an HPAI it failed to rewrite) a
"cut" would cut nothing and the scenario would blame or acquit the gateway wrongly. These run
against the KNX emulator in this process, with xknx (the bus monitor) as the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from xknx.dpt.payload import DPTBinary

from hil.emulators.knx import KnxEmulator, default_devices
from hil.knx_monitor import BusMonitor
from hil.knx_relay import KnxRelay

pytestmark = pytest.mark.hil


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[KnxEmulator]:
    emu = KnxEmulator(await asyncio.to_thread(default_devices))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest_asyncio.fixture
async def relay(emulator: KnxEmulator) -> AsyncIterator[KnxRelay]:
    r = KnxRelay(("127.0.0.1", emulator.port))
    r.start()
    try:
        yield r
    finally:
        r.stop()


async def test_relay_carries_a_tunnel_with_every_endpoint_rewritten_to_itself(
    emulator: KnxEmulator, relay: KnxRelay
) -> None:
    host, port = relay.address
    async with BusMonitor(host, port) as bus:
        (connection,) = emulator.server.connections.values()
        upstream = {s.upstream_address for s in relay._sessions.values()}
        assert connection.control_addr in upstream and connection.data_addr in upstream
        assert relay.open_channels() == [connection.channel]
        emulator.inject("1/0/2", DPTBinary(1))
        seen = await bus.wait_for(lambda t: t.destination == "1/0/2", timeout=2)
        assert seen.value == 1 and seen.kind == "write"
    assert relay.open_channels() == [], "the client's DISCONNECT closed the channel"


async def test_cut_relay_passes_nothing_until_restored(
    emulator: KnxEmulator, relay: KnxRelay
) -> None:
    host, port = relay.address
    async with BusMonitor(host, port) as bus:
        relay.cut()
        emulator.inject("1/0/4", DPTBinary(1))
        with pytest.raises(TimeoutError):
            await bus.wait_for(lambda t: t.destination == "1/0/4", timeout=0.5)
        assert relay.counters.dropped >= 1
        relay.restore()
        emulator.inject("1/0/4", DPTBinary(0))
        # The interface repeats the unacknowledged first frame once; the new one follows.
        await bus.wait_for(lambda t: t.destination == "1/0/4" and t.value == 0, timeout=3)


async def test_dropped_tunnel_is_forgotten_by_the_interface_and_not_told_to_the_client(
    emulator: KnxEmulator, relay: KnxRelay
) -> None:
    host, port = relay.address
    async with BusMonitor(host, port):
        assert len(emulator.connections) == 1
        assert relay.drop_tunnels() == 1

        async def forgotten() -> None:
            while emulator.connections:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(forgotten(), 2)
        assert relay.open_channels() == []
        assert relay.counters.injected_disconnects == 1
