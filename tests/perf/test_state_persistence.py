"""Lamp state a client set is stored coalesced: last value per lamp, within the flush interval.

Why not before each answer: the lamp holds its state (and reports it back after a power
cut), so an fsync per command bought nothing a user would miss and cost more than the radio
frame. What must hold instead: the last value is on disk within the interval and at stop,
and many commands to one lamp cost one write.
"""

from __future__ import annotations

import asyncio

from gateway.domain.events import EventBus
from gateway.domain.lights import LightsService, StateRequest
from gateway.store import Store
from tests.helpers.waiting import until
from tests.zigbee.fakes import FakeTransport, discovered


class CountingLights:
    """The real repository, counting the transactions that write light state."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.state_writes = 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    async def save_states(self, states):
        if states:
            self.state_writes += 1
        await self._inner.save_states(states)

    async def update(self, light_id, **changes):
        if "state" in changes:
            self.state_writes += 1
        return await self._inner.update(light_id, **changes)


async def stored_state(url: str, light_id: int) -> dict:
    store = await Store.open(url)
    try:
        row = await store.lights.get(light_id)
        assert row is not None
        return row.state
    finally:
        await store.close()


async def test_a_burst_of_commands_to_one_lamp_is_written_once_with_the_last_value(sqlite_url):
    store = await Store.open(sqlite_url)
    counting = CountingLights(store.lights)
    store.lights = counting
    service = LightsService(store, EventBus(), transport=FakeTransport(), flush_interval=0.2)
    await service.load()
    await service.discovered(discovered(1), may_add=True)
    writes_before = counting.state_writes
    service.start()
    for bri in range(1, 51):
        await service.set_state("1", StateRequest(params=(("bri", bri),)))
    assert counting.state_writes == writes_before  # none before the answers
    await until(lambda: counting.state_writes > writes_before, timeout=10)
    # The write is counted when it starts; on a loaded machine its commit may lag a moment.
    for _ in range(100):
        if (await stored_state(sqlite_url, 1))["bri"] == 50:
            break
        await asyncio.sleep(0.05)
    assert (await stored_state(sqlite_url, 1))["bri"] == 50
    await asyncio.sleep(0.5)
    assert counting.state_writes == writes_before + 1  # nothing changed since: no more writes
    await service.stop()
    await store.close()


async def test_stop_writes_the_last_commanded_state(sqlite_url):
    store = await Store.open(sqlite_url)
    service = LightsService(store, EventBus(), transport=FakeTransport(), flush_interval=3600)
    await service.load()
    await service.discovered(discovered(1), may_add=True)
    service.start()
    await service.set_state("1", StateRequest(params=(("on", False),)))
    await service.stop()
    assert (await stored_state(sqlite_url, 1))["on"] is False
    await store.close()


async def test_a_light_deleted_before_the_flush_costs_nothing_else(sqlite_url):
    store = await Store.open(sqlite_url)
    service = LightsService(store, EventBus(), transport=FakeTransport(), flush_interval=3600)
    await service.load()
    await service.discovered(discovered(1), may_add=True)
    await service.discovered(discovered(2), may_add=True)
    await service.set_state("1", StateRequest(params=(("bri", 7),)))
    await service.set_state("2", StateRequest(params=(("bri", 9),)))
    states = {1: {"on": True, "bri": 7}, 2: {"on": True, "bri": 9}}
    await store.lights.delete(2)  # gone from the table while its write was pending
    await store.lights.save_states(states)
    assert (await stored_state(sqlite_url, 1))["bri"] == 7
    await service.stop()
    await store.close()
