"""What an interview of a device endpoint makes of a light: a new one, or an updated one.

Why its own module: a lamp is interviewed when it joins and after every reconnect, and a
re-interview may find new firmware, another model (a replaced lamp at the same address)
or other capabilities. Which fields follow the device, and how the state is rebuilt for
new capabilities while keeping what the light already showed, are decisions of their own;
the service stores and publishes what this module decides.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.lights.model import DiscoveredLight, initial_state
from gateway.domain.lights.records import Light


def new_light_row(found: DiscoveredLight) -> dict[str, Any]:
    """The store's columns for a light seen for the first time (reachable, as it answered)."""
    state = initial_state(found.capabilities)
    state.update({k: v for k, v in found.state.items() if k in state})
    state["reachable"] = True
    return {
        "ieee": found.address.ieee,
        "endpoint": found.address.endpoint,
        "type": str(found.type),
        "manufacturername": found.manufacturer,
        "modelid": found.model,
        "swversion": found.swversion,
        "capabilities": found.capabilities.to_json(),
        "state": state,
    }


def merge_interview(light: Light, found: DiscoveredLight) -> dict[str, Any]:
    """Update ``light`` from a new interview; the store's columns that changed.

    Empty answers (a device that did not say its model) keep what was known. New
    capabilities rebuild the state from their fields, keeping the values the light had
    for fields that remain. The state is always among the changes: the interview read it.
    """
    changes: dict[str, Any] = {}
    for attr, column, value in (
        ("type", "type", str(found.type)),
        ("manufacturer", "manufacturername", found.manufacturer),
        ("model", "modelid", found.model),
        ("swversion", "swversion", found.swversion),
    ):
        if value and getattr(light, attr) != value:
            setattr(light, attr, value)
            changes[column] = value
    if found.capabilities != light.caps:
        light.caps = found.capabilities
        changes["capabilities"] = found.capabilities.to_json()
        fresh = initial_state(light.caps)
        fresh.update({k: v for k, v in light.state.items() if k in fresh})
        light.state = fresh
    light.state.update({k: v for k, v in found.state.items() if k in light.state})
    light.state["reachable"] = True
    changes["state"] = dict(light.state)
    return changes
