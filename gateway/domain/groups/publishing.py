"""Websocket events about groups and scenes, in deCONZ's shapes.

deCONZ sends ``{"t": "event", "e": "changed", "r": "groups", "id": "1", "state":
{"all_on": .., "any_on": ..}}`` when the members' states change the group's, ``attr``
events when a group is renamed or its members change, ``added`` / ``deleted``, and
``{"e": "scene-called", "r": "scenes", "gid": "1", "scid": "1"}`` when a scene is recalled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.domain.events import EventBus
from gateway.domain.groups.records import Group


class GroupEvents:
    def __init__(self, events: EventBus, notify_all: Callable[[], bool]) -> None:
        self._events = events
        self._notify_all = notify_all
        self._last_state: dict[int, dict[str, bool]] = {}

    def _publish(self, group: Group, fields: dict[str, Any]) -> None:
        event: dict[str, Any] = {"t": "event", "e": "changed", "r": "groups", "id": group.rid}
        event.update(fields)
        self._events.publish(event)

    def added(self, group: Group, rendered: dict[str, Any]) -> None:
        self._publish(group, {"e": "added", "group": rendered})

    def deleted(self, group: Group) -> None:
        self._last_state.pop(group.id, None)
        self._publish(group, {"e": "deleted"})

    def attributes(self, group: Group) -> None:
        self._publish(
            group,
            {
                "attr": {
                    "id": group.rid,
                    "name": group.name,
                    "type": group.type,
                    "lights": list(group.lights),
                    "hidden": group.hidden,
                },
                "name": group.name,
            },
        )

    def state(self, group: Group, state: dict[str, bool]) -> None:
        """A ``changed`` event when ``all_on`` / ``any_on`` differ from the last one sent."""
        before = self._last_state.get(group.id)
        if before == state:
            return
        self._last_state[group.id] = dict(state)
        if before is None or self._notify_all():
            shown = state
        else:
            shown = {k: v for k, v in state.items() if before.get(k) != v}
        self._publish(group, {"state": shown})

    def remember(self, group: Group, state: dict[str, bool]) -> None:
        """The state clients saw last (at start): no event until it changes."""
        self._last_state[group.id] = dict(state)

    def scene_called(self, group: Group, scene_id: int) -> None:
        self._events.publish(
            {
                "t": "event",
                "e": "scene-called",
                "r": "scenes",
                "gid": group.rid,
                "scid": str(scene_id),
            }
        )
