"""JSON Schemas of the ``/sensors`` request bodies, for ``/openapi.json``.

Why as strict as the handlers (``sensors.py``): a client (or schemathesis in
``tests/api/test_openapi_fuzz.py``) reads the description as a contract, so a body it
allows must not be refused as malformed, and a body it refuses must get a 400. The state
fields and their ranges come from the domain's type table (``TYPES``), so the two cannot
drift apart.

What a schema cannot know is the sensor behind ``{id}``: which state fields and config
parameters a request may carry depends on it. The schemas list the alternatives (one per
CLIP type for state; CLIP sensors or the Zigbee sensors with device settings for
config), and the descriptions say which sensor takes which; a body that fits another kind
of sensor than the one addressed is error 6 (400), as in deCONZ.
"""

from __future__ import annotations

from typing import Any

from gateway.api.deconz.schemas import Schema, text
from gateway.api.deconz.sensors import CLIP_REQUIRED, NAME_MAX, TEXT_MAX
from gateway.domain.sensors.types import CLIP_TYPES, TYPES, StateField


def _value(kind: type, lo: int, hi: int) -> Schema:
    if kind is bool:
        return {"type": "boolean"}
    return {"type": "integer", "minimum": lo, "maximum": hi}


def _field(field: StateField) -> Schema:
    return _value(field.kind, field.lo, field.hi)


def _state_of(sensor_type: str) -> dict[str, Any]:
    return {f.name: _field(f) for f in TYPES[sensor_type].state}


def _object(properties: dict[str, Any], *, min_properties: int = 0) -> Schema:
    schema: Schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if min_properties:
        schema["minProperties"] = min_properties
    return schema


# Config a client may set (``gateway.domain.sensors.settings.writable_config``): ``on`` on
# every sensor; ``reachable`` and ``battery`` on CLIP sensors; ``duration`` and
# ``sensitivity`` where the device has them (presence sensors; sensitivitymax is 2 on every
# sensor the Zigbee side makes); the light thresholds on light level sensors. Hence two
# alternatives: what a (light level) CLIP sensor takes, and what a presence sensor takes.
_ON = {"on": {"type": "boolean"}}
_CLIP_CONFIG = {**_ON, "reachable": {"type": "boolean"}, "battery": _value(int, 0, 100)}
_THRESHOLDS = {"tholddark": _value(int, 0, 0xFFFE), "tholdoffset": _value(int, 1, 0xFFFE)}
_DEVICE_SETTINGS = {"duration": _value(int, 0, 65535), "sensitivity": _value(int, 0, 2)}

SENSOR_CONFIG_BODY: Schema = {
    "description": "on: every sensor. reachable, battery: CLIP sensors. tholddark, "
    "tholdoffset: light level sensors. duration, sensitivity: Zigbee sensors that have "
    "them (see their config). Another parameter is error 6 or 8 (400).",
    "anyOf": [
        _object({**_CLIP_CONFIG, **_THRESHOLDS}, min_properties=1),
        _object({**_ON, **_DEVICE_SETTINGS}, min_properties=1),
    ],
}

SENSOR_STATE_BODY: Schema = {
    "description": "CLIP sensors only (a Zigbee sensor's state is error 8): the state "
    "fields of the sensor's type, one alternative per type.",
    "anyOf": [_object(_state_of(t), min_properties=1) for t in CLIP_TYPES],
}


def _state_for_type(sensor_type: str) -> Schema:
    """A CLIP sensor of ``sensor_type`` may start with the state fields of its type."""
    return {
        "properties": {
            "type": {"enum": [sensor_type]},
            "state": _object(_state_of(sensor_type)),
        }
    }


SENSOR_CREATE_BODY: Schema = {
    "description": "Without a body: search for new sensors. With one: a CLIP sensor; "
    "its state holds the fields of its type, and a uniqueid already in use is error 7.",
    **_object(
        {
            **{
                key: text(NAME_MAX if key == "name" else TEXT_MAX, 0 if key == "swversion" else 1)
                for key in CLIP_REQUIRED
            },
            "type": {"type": "string", "enum": list(CLIP_TYPES)},
            "state": {"type": "object"},
            "config": _object(_CLIP_CONFIG),
        }
    ),
    "required": list(CLIP_REQUIRED),
    # The state's fields depend on the type: one alternative per type.
    "anyOf": [_state_for_type(t) for t in CLIP_TYPES],
}

SENSOR_PUT_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {"name": text(NAME_MAX, 1)},
}

SENSORS_NEW: Schema = {
    "type": "object",
    "required": ["lastscan"],
    "properties": {"lastscan": {"type": "string"}},
}
