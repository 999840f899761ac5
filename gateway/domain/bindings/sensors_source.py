"""A :class:`SensorSource` over the gateway's event bus, in deCONZ's event shapes.

Why the event bus and not a sensors service: every sensor change is published as the
deCONZ websocket event ``{"e": "changed", "r": "sensors", "id", "state": {...}}`` (and
``"config": {"reachable": ...}``) whoever produces it, so the bindings follow sensors and
switches without depending on how the sensors service is built. What it learns is kept per
sensor (last state, reachability) to answer KNX reads and to send the status after an outage;
with the sensors service at hand, a sensor that has not sent since the start is looked up
there (its stored last state and ``config.reachable``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from gateway.domain.bindings.ports import SensorListener
from gateway.domain.events import EventBus, SubscriptionClosed
from gateway.domain.sensors import SensorNotFound, SensorsService

log = logging.getLogger(__name__)

QUEUE = 1024


class EventBusSensors:
    """Sensor states and button events as they pass on the event bus."""

    def __init__(self, events: EventBus, sensors: SensorsService | None = None) -> None:
        self._events = events
        self._service = sensors
        self._states: dict[str, dict[str, Any]] = {}
        self._reachable: dict[str, bool] = {}
        self._listeners: list[SensorListener] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._follow(), name="bindings-sensors")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def exists(self, sensor_id: str) -> bool:
        """Whether the sensors service has this sensor (True when there is no service)."""
        if self._service is None:
            return True
        try:
            self._service.get(sensor_id)
        except SensorNotFound:
            return False
        return True

    def reachable(self, sensor_id: str) -> bool:
        if sensor_id not in self._reachable and self._service is not None:
            try:
                config = self._service.get(sensor_id).config
            except SensorNotFound:
                return False
            return bool(config.get("reachable", True))
        return self._reachable.get(sensor_id, True)

    def state(self, sensor_id: str) -> dict[str, Any] | None:
        if sensor_id not in self._states and self._service is not None:
            try:
                return dict(self._service.get(sensor_id).state)
            except SensorNotFound:
                return None
        return self._states.get(sensor_id)

    def add_listener(self, listener: SensorListener) -> None:
        self._listeners.append(listener)

    def offer(self, event: dict[str, Any]) -> None:
        """One event of the bus (public so a test can feed it)."""
        if event.get("r") != "sensors" or event.get("e") not in ("changed", "added"):
            return
        sensor_id = str(event.get("id", ""))
        config = event.get("config") or (event.get("sensor") or {}).get("config")
        if isinstance(config, dict) and "reachable" in config:
            self._reachable[sensor_id] = bool(config["reachable"])
        state = event.get("state") or (event.get("sensor") or {}).get("state")
        if not isinstance(state, dict) or not sensor_id:
            return
        self._states.setdefault(sensor_id, {}).update(state)
        for listener in self._listeners:
            try:
                listener(sensor_id, dict(state))
            except Exception:
                log.exception("event=binding_sensor_listener_failed sensor=%s", sensor_id)

    async def _follow(self) -> None:
        while True:
            subscription = self._events.subscribe(QUEUE)
            try:
                while True:
                    self.offer(await subscription.get())
            except SubscriptionClosed:
                log.warning("event=bindings_sensor_events_overflowed; following again")
            finally:
                subscription.close()
