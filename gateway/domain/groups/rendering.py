"""A group and its scenes as the deCONZ / Hue v1 API shows them.

Why apart from the service: the shapes are a client contract (pydeconz, aiohue and phue
read them field by field) and they are computed from two services' data (the group's
own and its members' light states).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from gateway.domain.groups.records import Group, Scene

# light id -> its API state (None for a light that is gone)
LightState = Callable[[str], dict[str, Any] | None]

ACTION_DEFAULTS: dict[str, Any] = {"on": False, "bri": 0, "effect": "none", "alert": "none"}


def group_state(group: Group, light_state: LightState) -> dict[str, bool]:
    """``all_on`` / ``any_on`` from the members' states (unreachable lamps count as off)."""
    ons = []
    for light_id in group.lights:
        state = light_state(light_id)
        if state is not None:
            ons.append(bool(state.get("on")) and bool(state.get("reachable", True)))
    return {"all_on": bool(ons) and all(ons), "any_on": any(ons)}


def scene_summary(scene: Scene) -> dict[str, Any]:
    return {
        "id": scene.rid,
        "lightcount": len(scene.states),
        "name": scene.name,
        "transitiontime": scene.transitiontime,
    }


def render_group(group: Group, light_state: LightState) -> dict[str, Any]:
    body: dict[str, Any] = {
        "action": {**ACTION_DEFAULTS, **group.action, "alert": "none"},
        "devicemembership": [],
        "hidden": group.hidden,
        "id": group.rid,
        "lights": list(group.lights),
        "lightsequence": list(group.lights),
        "multideviceids": [],
        "name": group.name,
        "recycle": False,
        "scenes": [scene_summary(s) for _, s in sorted(group.scenes.items())],
        "sensors": [],
        "state": group_state(group, light_state),
        "type": group.type,
    }
    if group.type in ("Room", "Zone"):
        body["class"] = group.group_class or "Other"
    content = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    body["etag"] = hashlib.md5(content, usedforsecurity=False).hexdigest()
    return body


def render_scenes(group: Group) -> dict[str, Any]:
    """``GET /groups/<id>/scenes``."""
    return {
        scene.rid: {
            "lights": sorted(scene.states, key=int),
            "name": scene.name,
            "transitiontime": scene.transitiontime,
        }
        for _, scene in sorted(group.scenes.items())
    }


def render_scene(scene: Scene) -> dict[str, Any]:
    """``GET /groups/<id>/scenes/<sid>``: the stored state of every light."""
    lights = []
    for light_id in sorted(scene.states, key=int):
        state = dict(scene.states[light_id])
        item: dict[str, Any] = {"id": light_id, "on": bool(state.get("on"))}
        for key in ("bri", "ct", "hue", "sat"):
            if key in state:
                item[key] = state[key]
        if "xy" in state:
            item["x"], item["y"] = state["xy"]
        if "colormode" in state:
            item["colormode"] = state["colormode"]
        item["transitiontime"] = scene.transitiontime
        lights.append(item)
    return {"lights": lights, "name": scene.name, "state": 0}
