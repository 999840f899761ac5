"""The sensors domain: ids, names, state and config of every sensor, from the radio and
from clients, persisted and published.

Why one service for Zigbee and CLIP sensors: clients see one ``/sensors`` collection; a
CLIP sensor is a sensor whose state a client writes instead of a device. Every change,
whoever makes it, goes through here so it is stored and announced the same way.

Rules (also in docs/sensors.md):
- A device that joined while the network was open becomes one sensor per recognised
  endpoint/cluster (``DiscoveredSensor``); a known sensor re-joining keeps id and name.
- A report updates state (and ``lastupdated``, UTC) or config (``battery``); it is
  published at once and stored within ``flush_interval``. A button event is published
  even when it repeats the last value. A sensor whose ``config.on`` is false ignores
  reports, as deCONZ does.
- Changes by clients are stored before the answer. Config the device must know
  (``duration``, ``sensitivity``) is handed to the radio, which writes it when the
  sleepy device is next awake.
- A deleted sensor's id is never reused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.clock import utcnow
from gateway.domain.events import EventBus
from gateway.domain.lights.search import SEARCH_SECONDS, NewLightsSearch
from gateway.domain.radio import RadioUnavailable
from gateway.domain.sensors.persistence import SensorFlusher, Snapshot
from gateway.domain.sensors.publishing import SensorEvents
from gateway.domain.sensors.records import (
    DiscoveredSensor,
    Sensor,
    SensorNotFound,
    SensorRadio,
    SensorReading,
)
from gateway.domain.sensors.rendering import render
from gateway.domain.sensors.settings import DEVICE_PARAMS
from gateway.domain.sensors.types import TYPES, light_flags
from gateway.store import Store

log = logging.getLogger(__name__)


def timestamp() -> str:
    """``lastupdated``: UTC, ISO 8601, whole seconds (DESIGN's time format)."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S")


class SensorsService:
    """Keeps every sensor in memory (GET is hot), persists and publishes each change."""

    def __init__(
        self,
        store: Store,
        events: EventBus,
        *,
        radio: SensorRadio | None = None,
        permit: Callable[[int], Awaitable[None]] | None = None,
        notify_all: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.monotonic,
        flush_interval: float = 1.0,
    ) -> None:
        self._store = store
        self.radio = radio
        self._permit = permit
        self._sensors: dict[int, Sensor] = {}
        self._by_uniqueid: dict[str, Sensor] = {}
        self._by_ieee: dict[str, list[Sensor]] = {}  # every frame asks: keep it a lookup
        self._events = SensorEvents(events, notify_all)
        self._flusher = SensorFlusher(store, self._snapshot, flush_interval)
        self._search = NewLightsSearch(clock)
        self._lock = asyncio.Lock()

    # -- life cycle ------------------------------------------------------------------------

    async def load(self) -> None:
        for row in await self._store.sensors.all():
            if row.type in TYPES:
                self._add(Sensor.from_stored(row))
            else:
                log.warning("sensor %d has unknown type %r; not served", row.id, row.type)
        log.info("loaded %d sensors", len(self._sensors))

    def start(self) -> None:
        self._flusher.start()

    async def stop(self) -> None:
        await self._flusher.stop()

    async def flush(self) -> None:
        await self._flusher.flush()

    def _snapshot(self, ids: set[int]) -> Snapshot:
        return {
            i: (dict(self._sensors[i].state), dict(self._sensors[i].config))
            for i in ids
            if i in self._sensors
        }

    # -- queries ---------------------------------------------------------------------------

    def all(self) -> list[Sensor]:
        return [self._sensors[i] for i in sorted(self._sensors)]

    def get(self, sensor_id: str | int) -> Sensor:
        number = -1
        if isinstance(sensor_id, int):
            number = sensor_id
        elif sensor_id.isascii() and sensor_id.isdigit() and str(int(sensor_id)) == sensor_id:
            number = int(sensor_id)
        sensor = self._sensors.get(number)
        if sensor is None:
            raise SensorNotFound(str(sensor_id))
        return sensor

    def by_uniqueid(self, uniqueid: str) -> Sensor | None:
        return self._by_uniqueid.get(uniqueid)

    def of_device(self, ieee: str) -> list[Sensor]:
        return list(self._by_ieee.get(ieee, ()))

    def render(self, sensor: Sensor) -> dict[str, Any]:
        return render(sensor)

    def render_all(self) -> dict[str, Any]:
        return {s.rid: render(s) for s in self.all()}

    async def section(self) -> dict[str, Any]:
        """The ``sensors`` part of ``GET /api/<key>``."""
        return self.render_all()

    # -- search for new sensors ------------------------------------------------------------

    async def search(self) -> int:
        """``POST /sensors`` without a body: open the network for a minute."""
        if self._permit is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        await self._permit(SEARCH_SECONDS)
        self._search.begin()
        log.info("searching for new sensors for %d s", SEARCH_SECONDS)
        return SEARCH_SECONDS

    def new_sensors(self) -> dict[str, Any]:
        return self._search.listing(
            lambda n: sensor.name if (sensor := self._sensors.get(n)) else None
        )

    # -- changes from clients --------------------------------------------------------------

    async def create_clip(
        self,
        *,
        type: str,
        name: str,
        uniqueid: str,
        manufacturer: str,
        model: str,
        swversion: str,
        state: dict[str, Any],
        config: dict[str, Any],
    ) -> Sensor:
        """``POST /sensors`` with a body (validated by the API): a new CLIP sensor."""
        initial = TYPES[type].initial_state()
        initial.update(state)
        if state:
            initial["lastupdated"] = timestamp()
        settings = {"on": True, "reachable": True, **config}
        if type == "CLIPLightLevel" and "lightlevel" in state:
            initial.update(light_flags(int(state["lightlevel"]), settings))
        row = await self._store.sensors.create(
            uniqueid=uniqueid,
            type=type,
            name=name,
            manufacturername=manufacturer,
            modelid=model,
            swversion=swversion,
            state=initial,
            config=settings,
        )
        sensor = Sensor.from_stored(row)
        self._add(sensor)
        log.info("new CLIP sensor %s: %s (%s)", sensor.rid, sensor.name, sensor.type)
        self._events.added(sensor)
        return sensor

    def uniqueid_taken(self, uniqueid: str) -> bool:
        return uniqueid in self._by_uniqueid

    async def rename(self, sensor_id: str, name: str) -> Sensor:
        sensor = self.get(sensor_id)
        if name != sensor.name:
            if await self._store.sensors.update(sensor.id, name=name) is None:
                raise SensorNotFound(sensor_id)
            sensor.name = name
            self._events.renamed(sensor)
        return sensor

    async def delete(self, sensor_id: str) -> None:
        sensor = self.get(sensor_id)
        await self._store.sensors.delete(sensor.id)
        self._sensors.pop(sensor.id, None)
        self._by_uniqueid.pop(sensor.uniqueid, None)
        if sensor.ieee is not None:
            siblings = [s for s in self._by_ieee.get(sensor.ieee, []) if s.id != sensor.id]
            if siblings:
                self._by_ieee[sensor.ieee] = siblings
            else:
                self._by_ieee.pop(sensor.ieee, None)
        self._flusher.discard(sensor.id)
        self._search.forget(sensor.id)
        self._events.deleted(sensor)
        log.info("sensor %s (%s) deleted", sensor.rid, sensor.uniqueid)

    async def set_config(self, sensor_id: str, values: dict[str, Any]) -> Sensor:
        """Validated ``PUT .../config``: store, publish, hand device parameters to the radio."""
        sensor = self.get(sensor_id)
        state_before, config_before = dict(sensor.state), dict(sensor.config)
        sensor.config.update(values)
        if sensor.type in ("ZHALightLevel", "CLIPLightLevel") and (
            "tholddark" in values or "tholdoffset" in values
        ):
            sensor.state.update(light_flags(int(sensor.state.get("lightlevel", 0)), sensor.config))
        await self._commit(sensor, state_before, config_before)
        device = {k: v for k, v in values.items() if k in DEVICE_PARAMS}
        if device and self.radio is not None and not sensor.is_clip:
            self.radio.configure(sensor, device)
        return sensor

    async def set_state(self, sensor_id: str, values: dict[str, Any]) -> Sensor:
        """Validated ``PUT .../state`` of a CLIP sensor."""
        sensor = self.get(sensor_id)
        state_before, config_before = dict(sensor.state), dict(sensor.config)
        sensor.state.update(values)
        if "lightlevel" in values:
            sensor.state.update(light_flags(int(values["lightlevel"]), sensor.config))
        sensor.state["lastupdated"] = timestamp()
        await self._commit(sensor, state_before, config_before, force="buttonevent" in values)
        return sensor

    async def _commit(
        self,
        sensor: Sensor,
        state_before: dict[str, Any],
        config_before: dict[str, Any],
        *,
        force: bool = False,
    ) -> None:
        self._flusher.discard(sensor.id)
        await self._store.sensors.update(
            sensor.id, state=dict(sensor.state), config=dict(sensor.config)
        )
        self._events.changed(sensor, state_before, config_before, force_state=force)

    # -- changes from the radio ------------------------------------------------------------

    async def discovered(self, found: DiscoveredSensor, *, may_add: bool) -> Sensor | None:
        """An interviewed device has this sensor: refresh it, or add it if allowed."""
        async with self._lock:
            sensor = self._by_uniqueid.get(found.uniqueid)
            if sensor is None:
                if not may_add:
                    log.info("ignoring %s: not a sensor yet and joins are closed", found.uniqueid)
                    return None
                return await self._create(found)
            state_before, config_before = dict(sensor.state), dict(sensor.config)
            sensor.manufacturer = found.manufacturer or sensor.manufacturer
            sensor.model = found.model or sensor.model
            sensor.swversion = found.swversion or sensor.swversion
            for key, value in found.config.items():
                if key == "battery":  # a fresh reading; the rest may be the user's choice
                    sensor.config[key] = value
                else:
                    sensor.config.setdefault(key, value)
            sensor.config["reachable"] = True
            await self._store.sensors.update(
                sensor.id,
                manufacturername=sensor.manufacturer,
                modelid=sensor.model,
                swversion=sensor.swversion,
                config=dict(sensor.config),
            )
            self._events.changed(sensor, state_before, config_before)
            return sensor

    async def _create(self, found: DiscoveredSensor) -> Sensor:
        state = TYPES[found.type].initial_state()
        config = {"on": True, "reachable": True, **found.config}
        if found.state:  # read at the interview: a reading like any other
            state.update(found.state)
            if "lightlevel" in found.state:
                state.update(light_flags(int(found.state["lightlevel"]), config))
            state["lastupdated"] = timestamp()
        row = await self._store.sensors.create(
            uniqueid=found.uniqueid,
            ieee=found.ieee,
            endpoint=found.endpoint,
            cluster=found.cluster,
            type=found.type,
            manufacturername=found.manufacturer,
            modelid=found.model,
            swversion=found.swversion,
            state=state,
            config=config,
        )
        sensor = Sensor.from_stored(row)
        self._add(sensor)
        self._search.joined(sensor.id)
        log.info("new sensor %s: %s (%s)", sensor.rid, sensor.type, sensor.uniqueid)
        self._events.added(sensor)
        return sensor

    def reading(self, reading: SensorReading) -> None:
        """A report or command from a device, already in API units."""
        sensor = self._by_uniqueid.get(reading.uniqueid)
        if sensor is None:
            return
        state_before, config_before = dict(sensor.state), dict(sensor.config)
        sensor.config.update(reading.config)
        sensor.config["reachable"] = True
        applied = bool(reading.state) and bool(sensor.config.get("on", True))
        if applied:
            values = dict(reading.state)
            if "lightlevel" in values:
                values.update(light_flags(int(values["lightlevel"]), sensor.config))
            fields = {f.name for f in sensor.kind.state}
            sensor.state.update({k: v for k, v in values.items() if k in fields})
            sensor.state["lastupdated"] = timestamp()
        forced = reading.event and applied
        if forced or sensor.state != state_before or sensor.config != config_before:
            self._flusher.mark(sensor.id)
            self._events.changed(sensor, state_before, config_before, force_state=forced)

    def reachable(self, ieee: str, reachable: bool) -> None:
        """The device was heard from (true) or left the network (false)."""
        for sensor in self.of_device(ieee):
            if sensor.config.get("reachable") != reachable:
                before_state, before_config = dict(sensor.state), dict(sensor.config)
                sensor.config["reachable"] = reachable
                self._flusher.mark(sensor.id)
                self._events.changed(sensor, before_state, before_config)

    # -- bookkeeping -----------------------------------------------------------------------

    def _add(self, sensor: Sensor) -> None:
        self._sensors[sensor.id] = sensor
        self._by_uniqueid[sensor.uniqueid] = sensor
        if sensor.ieee is not None:
            self._by_ieee.setdefault(sensor.ieee, []).append(sensor)
