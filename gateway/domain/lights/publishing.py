"""Websocket-bound events about lights, in deCONZ's shapes (``docs/zigbee.md``).

Why apart from the service: every change (from a client or from the lamp) ends in one of
three event kinds — state, attributes, added/deleted — and their shapes are a client
contract of their own (pydeconz and Home Assistant read them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.domain.events import EventBus
from gateway.domain.lights.records import Light


class LightEvents:
    """Publishes light events on the gateway's event bus."""

    def __init__(self, events: EventBus, notify_all: Callable[[], bool]) -> None:
        self._events = events
        self._notify_all = notify_all

    def publish(self, light: Light, fields: dict[str, Any]) -> None:
        event: dict[str, Any] = {
            "t": "event",
            "e": fields.get("e", "changed"),
            "r": "lights",
            "id": light.rid,
            "uniqueid": light.address.uniqueid,
        }
        event.update(fields)
        self._events.publish(event)

    def state(self, light: Light, before: dict[str, Any], after: dict[str, Any]) -> None:
        """A ``changed`` event with the state (all of it, or what changed: websocketnotifyall)."""
        if after == before:
            return
        if self._notify_all():
            state = after
        else:
            state = {k: v for k, v in after.items() if before.get(k) != v}
        self.publish(light, {"state": state})

    def attributes(self, light: Light, *, renamed: bool = False) -> None:
        fields: dict[str, Any] = {"attr": light.attributes()}
        if renamed:
            # Current deCONZ sends the name inside "attr"; pydeconz (Home Assistant) reads
            # a top-level "name", which older deCONZ sent. Both are given.
            fields["name"] = light.name
        self.publish(light, fields)
