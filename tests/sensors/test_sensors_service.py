"""The sensors service on a real store and event bus: what it publishes and stores for
readings from the radio (the radio itself is exercised in test_sensors_e2e.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from gateway.domain.events import EventBus, Subscription
from gateway.domain.sensors import DiscoveredSensor, SensorReading, SensorsService
from gateway.store import Store

SWITCH = DiscoveredSensor(
    "00:17:88:01:5e:00:00:01", 2, 0xFC00, "ZHASwitch", "Philips", "RWL021", "1"
)
CLIMATE = DiscoveredSensor(
    "00:17:88:01:5e:00:00:04", 1, 0x0402, "ZHATemperature", "eWeLink", "TH01", "1",
    state={"temperature": 2100}, config={"battery": 100},
)  # fmt: skip


@contextlib.asynccontextmanager
async def service(
    url: str, notify_all: bool = True
) -> AsyncIterator[tuple[SensorsService, Subscription, Store]]:
    store = await Store.open(url)
    bus = EventBus()
    sensors = SensorsService(store, bus, notify_all=lambda: notify_all, flush_interval=60)
    await sensors.load()
    try:
        yield sensors, bus.subscribe(), store
    finally:
        await sensors.stop()
        await store.close()


async def test_the_same_button_twice_is_two_events(sqlite_url):
    async with service(sqlite_url, notify_all=False) as (sensors, events, _):
        switch = await sensors.discovered(SWITCH, may_add=True)
        assert switch is not None and (await events.get())["e"] == "added"
        for _ in range(2):
            sensors.reading(SensorReading(switch.uniqueid, {"buttonevent": 1002}, event=True))
            event = await events.get()
            assert event["state"]["buttonevent"] == 1002
        assert events.queue.empty()


async def test_without_notify_all_a_change_carries_only_what_changed(sqlite_url):
    async with service(sqlite_url, notify_all=False) as (sensors, events, _):
        climate = await sensors.discovered(CLIMATE, may_add=True)
        assert climate is not None
        await events.get()
        sensors.reading(SensorReading(climate.uniqueid, {"temperature": 2250}))
        event = await events.get()
        assert set(event["state"]) == {"temperature", "lastupdated"}
        assert "config" not in event
        sensors.reading(SensorReading(climate.uniqueid, config={"battery": 60}))
        event = await events.get()
        assert event["config"] == {"battery": 60} and "state" not in event
        # The same value again is no news.
        sensors.reading(SensorReading(climate.uniqueid, config={"battery": 60}))
        assert events.queue.empty()


async def test_readings_reach_the_store_at_the_next_flush(sqlite_url):
    async with service(sqlite_url) as (sensors, _, store):
        climate = await sensors.discovered(CLIMATE, may_add=True)
        assert climate is not None
        sensors.reading(SensorReading(climate.uniqueid, {"temperature": 1875}, {"battery": 55}))
        stored = await store.sensors.get(climate.id)
        assert stored is not None and stored.state["temperature"] == 2100
        await sensors.flush()
        stored = await store.sensors.get(climate.id)
        assert stored is not None
        assert (stored.state["temperature"], stored.config["battery"]) == (1875, 55)


async def test_a_device_seen_while_joins_are_closed_is_not_added(sqlite_url):
    async with service(sqlite_url) as (sensors, events, _):
        assert await sensors.discovered(CLIMATE, may_add=False) is None
        assert sensors.all() == [] and events.queue.empty()


async def test_a_known_sensor_rejoining_keeps_id_name_and_state(sqlite_url):
    async with service(sqlite_url) as (sensors, _, _store):
        first = await sensors.discovered(CLIMATE, may_add=True)
        assert first is not None
        await sensors.rename(first.rid, "Cellar")
        sensors.reading(SensorReading(first.uniqueid, {"temperature": 1500}))
        again = await sensors.discovered(CLIMATE, may_add=False)
        assert again is not None
        assert (again.id, again.name, again.state["temperature"]) == (first.id, "Cellar", 1500)


async def test_a_switched_off_switch_announces_no_presses(sqlite_url):
    async with service(sqlite_url) as (sensors, events, _):
        switch = await sensors.discovered(SWITCH, may_add=True)
        assert switch is not None
        await events.get()
        await sensors.set_config(switch.rid, {"on": False})
        await events.get()
        sensors.reading(SensorReading(switch.uniqueid, {"buttonevent": 1002}, event=True))
        assert events.queue.empty()
        assert sensors.get(switch.rid).state["buttonevent"] is None
