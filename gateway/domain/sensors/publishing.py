"""Websocket events about sensors, in the shapes pydeconz and Home Assistant read.

Why apart from the service: these shapes are a client contract. pydeconz applies a
``changed`` event's ``state``/``config``/``name`` to its sensor object and fires the
object's callbacks; Home Assistant's ``deconz_event`` fires on every ``changed`` event of
a switch that carries a ``state`` (so a repeated ``buttonevent`` is still an event), and
``added`` events carry the whole ``sensor`` object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.domain.events import EventBus
from gateway.domain.sensors.records import Sensor
from gateway.domain.sensors.rendering import render


class SensorEvents:
    def __init__(self, events: EventBus, notify_all: Callable[[], bool]) -> None:
        self._events = events
        self._notify_all = notify_all

    def _publish(self, sensor: Sensor, kind: str, fields: dict[str, Any]) -> None:
        event: dict[str, Any] = {
            "t": "event",
            "e": kind,
            "r": "sensors",
            "id": sensor.rid,
            "uniqueid": sensor.uniqueid,
        }
        event.update(fields)
        self._events.publish(event)

    def added(self, sensor: Sensor) -> None:
        self._publish(sensor, "added", {"sensor": render(sensor)})

    def deleted(self, sensor: Sensor) -> None:
        self._publish(sensor, "deleted", {})

    def renamed(self, sensor: Sensor) -> None:
        # deCONZ sends "attr"; pydeconz reads a top-level "name": both, as for lights.
        attr = {"id": sensor.rid, **sensor.attributes()}
        self._publish(sensor, "changed", {"attr": attr, "name": sensor.name})

    def changed(
        self,
        sensor: Sensor,
        state_before: dict[str, Any],
        config_before: dict[str, Any],
        *,
        force_state: bool = False,
    ) -> None:
        """One ``changed`` event with the state (and the config when it changed)."""
        fields: dict[str, Any] = {}
        if force_state:
            fields["state"] = dict(sensor.state)
        elif sensor.state != state_before:
            fields["state"] = self._part(sensor.state, state_before, keep=("lastupdated",))
        if sensor.config != config_before:
            fields["config"] = self._part(sensor.config, config_before)
        if fields:
            self._publish(sensor, "changed", fields)

    def _part(
        self, after: dict[str, Any], before: dict[str, Any], keep: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if self._notify_all():
            return dict(after)
        return {k: v for k, v in after.items() if before.get(k) != v or k in keep}
