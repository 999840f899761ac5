"""A light as the deCONZ / Hue v1 API shows it, rendered and encoded once per change.

Why a cache of bytes: a ``GET /lights`` is read far more often than any light changes, and
encoding the whole collection on every request was most of its cost (and grew with every
light). Each light's JSON is kept as bytes, and so is the collection built from them;
both stay valid until a *version counter* moves. The service moves a light's counter
(:meth:`LightRenderer.touch`) wherever it publishes a change of that light — a change a
client can see is one that is published, so the two go together — and the same counters
give the collection its ETag. Callers must not modify what they get.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

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


@dataclass(frozen=True)
class Rendered:
    """One rendering: the object, its JSON bytes and the HTTP ETag of those bytes."""

    body: dict[str, Any]
    content: bytes
    etag: str


class LightRenderer:
    """Renders lights for the API and keeps each rendering until its version moves."""

    def __init__(self) -> None:
        # An ETag names one rendering of one process: a restart must not reuse old tags.
        self._epoch = secrets.token_hex(4)
        self._versions: dict[int, int] = {}
        self._generation = 0  # moves with every touch, add or forget: the collection's version
        self._rendered: dict[int, tuple[tuple[int, bool], Rendered]] = {}
        self._collection: tuple[tuple[int, bool], Rendered] | None = None

    def touch(self, light_id: int) -> None:
        """The light changed (state, attributes or capabilities): render it again."""
        self._versions[light_id] = self._versions.get(light_id, 0) + 1
        self._generation += 1

    def forget(self, light_id: int) -> None:
        self._rendered.pop(light_id, None)
        self._versions.pop(light_id, None)
        self._generation += 1

    def render(self, light: Light, radio_up: bool) -> Rendered:
        """The light object of ``GET /lights/<id>`` (spec fields plus deCONZ's names)."""
        key = (self._versions.get(light.id, 0), radio_up)
        cached = self._rendered.get(light.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        body = _light_object(light, radio_up)
        content = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        body["etag"] = hashlib.md5(content, usedforsecurity=False).hexdigest()
        content = orjson.dumps(body)
        tag = f'"{self._epoch}-{light.id}-{key[0]}-{int(radio_up)}"'
        rendered = Rendered(body, content, tag)
        self._rendered[light.id] = (key, rendered)
        return rendered

    def render_all(self, lights: Iterable[Light], radio_up: bool) -> Rendered:
        """The ``GET /lights`` object, built from each light's cached bytes."""
        key = (self._generation, radio_up)
        if self._collection is not None and self._collection[0] == key:
            return self._collection[1]
        parts = [(light.rid, self.render(light, radio_up)) for light in lights]
        content = (
            b"{" + b",".join(b'"%s":%s' % (rid.encode(), r.content) for rid, r in parts) + b"}"
        )
        body = {rid: r.body for rid, r in parts}
        rendered = Rendered(body, content, f'"{self._epoch}-all-{key[0]}-{int(radio_up)}"')
        self._collection = (key, rendered)
        return rendered


def _light_object(light: Light, radio_up: bool) -> dict[str, Any]:
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
    return body
