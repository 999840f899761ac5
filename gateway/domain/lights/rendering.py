"""A light as the deCONZ / Hue v1 API shows it, rendered once per change.

Why a cache: rendering (with its etag hash) is the bulk of a ``GET /lights``, and a light
changes far less often than it is read. The rendered object is kept per light until
anything it is made of changes; callers must not modify it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gateway.domain.lights import colors
from gateway.domain.lights.model import supported_state_fields
from gateway.domain.lights.records import Light


def api_state(light: Light, radio_up: bool) -> dict[str, Any]:
    """The ``state`` object: the fields the light supports, reachability as the API shows it."""
    fields = supported_state_fields(light.caps)
    state = {k: v for k, v in light.state.items() if k in fields}
    state["reachable"] = radio_up and bool(light.state.get("reachable", True))
    state["alert"] = "none"  # write-only, as in deCONZ
    return state


class LightRenderer:
    """Renders lights for the API and keeps each rendering until the light changes."""

    def __init__(self) -> None:
        self._rendered: dict[int, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def render(self, light: Light, radio_up: bool) -> dict[str, Any]:
        """The light object of ``GET /lights/<id>`` (spec fields plus deCONZ's names)."""
        key = (
            repr(light.state),
            light.name,
            light.type,
            light.manufacturer,
            light.model,
            light.swversion,
            light.caps,
            radio_up,
        )
        cached = self._rendered.get(light.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        body: dict[str, Any] = {
            "hascolor": light.caps.has_color,
            "manufacturer": light.manufacturer,
            "manufacturername": light.manufacturer,
            "modelid": light.model,
            "name": light.name,
            "pointsymbol": {},
            "state": api_state(light, radio_up),
            "swversion": light.swversion,
            "type": light.type,
            "uniqueid": light.address.uniqueid,
        }
        if light.caps.has_color:
            body["colorcapabilities"] = light.caps.color_capabilities
        if light.caps.ct:
            body["ctmin"] = light.caps.ct_min or colors.CT_API_MIN
            body["ctmax"] = light.caps.ct_max or colors.CT_API_MAX
        content = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        body["etag"] = hashlib.md5(content, usedforsecurity=False).hexdigest()
        self._rendered[light.id] = (key, body)
        return body

    def forget(self, light_id: int) -> None:
        self._rendered.pop(light_id, None)
