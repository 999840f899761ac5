"""JSON Schemas of request and response bodies, for ``/openapi.json``.

They describe what clients may send (types and ranges from the spec), as strictly as the
handlers check it: a body a schema allows is never refused as malformed (schemathesis'
positive-data check in ``tests/api/test_openapi_fuzz.py``), so the description is a
contract clients can rely on. The handlers still do their own validation and never trust
these schemas.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from gateway.api.deconz.increments import INCREMENTS
from gateway.domain.groups.records import GROUP_TYPES
from gateway.domain.lights.records import COMMAND_PARAMS

Schema = dict[str, Any]

TEXT_PATTERN = "^[^\\x00]*$"
"""Strings without NUL (the body reader refuses it, and lone surrogates, ``json_body``;
JSON Schema generators make no lone surrogates, and the pattern cannot name them: the
description is served as UTF-8)."""


def text(max_length: int, min_length: int = 0) -> Schema:
    return {
        "type": "string",
        "minLength": min_length,
        "maxLength": max_length,
        "pattern": TEXT_PATTERN,
    }


OBJECT: Schema = {"type": "object"}

ERROR_ITEM: Schema = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["type", "address", "description"],
            "properties": {
                "type": {"type": "integer"},
                "address": {"type": "string"},
                "description": {"type": "string"},
            },
        }
    },
}
ERROR_LIST: Schema = {"type": "array", "items": ERROR_ITEM}

SUCCESS_LIST: Schema = {
    "type": "array",
    "items": {"type": "object", "properties": {"success": {}}},
}

CREATE_KEY_BODY: Schema = {
    "type": "object",
    "required": ["devicetype"],
    "properties": {
        "devicetype": text(40),
        "username": {"type": "string", "pattern": "^[A-Za-z0-9._~-]{10,40}$"},
    },
}

CONFIG_PUT_BODY: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "name": text(16),
        "rfconnected": {"type": "boolean"},
        "updatechannel": {"enum": ["stable", "alpha", "beta"]},
        "permitjoin": {"type": "integer", "minimum": 0, "maximum": 255},
        "groupdelay": {"type": "integer", "minimum": 0, "maximum": 5000},
        "otauactive": {"type": "boolean"},
        "discovery": {"type": "boolean"},
        "unlock": {"type": "integer", "minimum": 0, "maximum": 600},
        "zigbeechannel": {"enum": [11, 15, 20, 25]},
        "timezone": {"enum": sorted(available_timezones())},
        "timeformat": {"enum": ["12h", "24h"]},
        "networkopenduration": {"type": "integer", "minimum": 0, "maximum": 65535},
        "websocketnotifyall": {"type": "boolean"},
    },
}

PASSWORD_BODY: Schema = {
    "type": "object",
    "required": ["username", "oldhash", "newhash"],
    "additionalProperties": False,
    "properties": {
        "username": text(64),
        "oldhash": text(1024),
        "newhash": text(1024),
    },
}

RESET_BODY: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {"resetGW": {"type": "boolean"}, "deleteDB": {"type": "boolean"}},
}

# -- lights ------------------------------------------------------------------------------------

LIGHT_STATE_BODY: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "on": {"type": "boolean"},
        "bri": {"type": "integer", "minimum": 0, "maximum": 255},
        "hue": {"type": "integer", "minimum": 0, "maximum": 65535},
        "sat": {"type": "integer", "minimum": 0, "maximum": 255},
        "ct": {"type": "integer", "minimum": 153, "maximum": 500},
        "xy": {
            "type": "array",
            "items": {"type": "number", "minimum": 0, "maximum": 1},
            "minItems": 2,
            "maxItems": 2,
        },
        "alert": {"enum": ["none", "select", "lselect"]},
        "effect": {"enum": ["none", "colorloop"]},
        "colorloopspeed": {"type": "integer", "minimum": 1, "maximum": 255},
        "transitiontime": {"type": "integer", "minimum": 0, "maximum": 65535},
    },
}

LIGHT_PUT_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {"name": text(32)},
}

LIGHT_DELETE_BODY: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"reset": {"type": "boolean"}},
}

LIGHTS_NEW: Schema = {
    "type": "object",
    "required": ["lastscan"],
    "properties": {"lastscan": {"type": "string"}},
}

TOUCHLINK_SCAN: Schema = {
    "type": "object",
    "required": ["scanstate", "lastscan", "result"],
    "properties": {
        "scanstate": {"type": "string", "enum": ["idle", "scanning"]},
        "lastscan": {"type": "string"},
        "result": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["address", "factorynew", "channel", "panid", "rssi"],
                "properties": {
                    "address": {"type": "string", "pattern": "^0x[0-9a-f]{16}$"},
                    "factorynew": {"type": "boolean"},
                    "channel": {"type": "integer", "minimum": 11, "maximum": 26},
                    "panid": {"type": "integer", "minimum": 0, "maximum": 65535},
                    "rssi": {"type": ["integer", "null"]},
                },
            },
        },
    },
}

# -- groups and scenes ---------------------------------------------------------------------
# Exact, as the lights' (``tests/api/test_groups_fuzz.py``): unknown parameters are error 6,
# so no additional properties. Light and scene ids must also name existing ones, which
# JSON Schema cannot say (the fuzz steers them to the fixture's); a ``lightsequence`` must
# be an order of the (new) members, likewise.

GROUP_LIGHT_IDS: Schema = {"type": "array", "items": {"type": "string", "pattern": TEXT_PATTERN}}
"""A light named twice is one member (the gateway keeps each member once)."""

GROUP_CREATE_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": text(32, 1),
        "type": {"enum": list(GROUP_TYPES)},
        "class": text(32),
        "lights": GROUP_LIGHT_IDS,
        "hidden": {"type": "boolean"},
    },
}

GROUP_PUT_BODY: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "name": text(32, 1),
        "lights": GROUP_LIGHT_IDS,
        "lightsequence": {**GROUP_LIGHT_IDS, "uniqueItems": True},
        "hidden": {"type": "boolean"},
        "class": text(32),
        "multideviceids": {"type": "array", "maxItems": 0},
    },
}

GROUP_ACTION_BODY: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **LIGHT_STATE_BODY["properties"],
        "bri_inc": {"type": "integer", "minimum": -254, "maximum": 254},
        "sat_inc": {"type": "integer", "minimum": -254, "maximum": 254},
        "hue_inc": {"type": "integer", "minimum": -65534, "maximum": 65534},
        "ct_inc": {"type": "integer", "minimum": -65534, "maximum": 65534},
        "xy_inc": {
            "type": "array",
            "items": {"type": "number", "minimum": -0.5, "maximum": 0.5},
            "minItems": 2,
            "maxItems": 2,
        },
        # a scene id of the group ("1", or Hue's "<gid>-<sid>"); a number is taken as its id
        "scene": {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN}, {"type": "integer"}]},
        "toggle": {"type": "boolean"},
    },
    # Something to do (as groups.parse_action): transitiontime or colorloopspeed alone, or
    # toggle false, is error 5.
    "anyOf": [
        *({"required": [name]} for name in (*COMMAND_PARAMS, *INCREMENTS, "scene")),
        {"required": ["toggle"], "properties": {"toggle": {"enum": [True]}}},
    ],
}

SCENE_NAME_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {"name": text(32, 1)},
}

SCENE_RECALL_BODY: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"transitiontime": {"type": "integer", "minimum": 0, "maximum": 65535}},
}

SCENE_LIGHT_STATE_BODY: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        k: LIGHT_STATE_BODY["properties"][k]
        for k in ("on", "bri", "hue", "sat", "ct", "xy", "transitiontime")
    },
}
