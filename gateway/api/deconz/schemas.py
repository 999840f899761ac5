"""JSON Schemas of request and response bodies, for ``/openapi.json``.

They describe what clients may send (types and ranges from the spec) so that a fuzzer
driven by the OpenAPI description explores the real input space; the handlers do their
own validation and never trust these schemas.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

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
        "devicetype": {"type": "string", "maxLength": 40},
        "username": {"type": "string", "minLength": 10, "maxLength": 40},
    },
}

CONFIG_PUT_BODY: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 16},
        "rfconnected": {"type": "boolean"},
        "updatechannel": {"enum": ["stable", "alpha", "beta"]},
        "permitjoin": {"type": "integer", "minimum": 0, "maximum": 255},
        "groupdelay": {"type": "integer", "minimum": 0, "maximum": 5000},
        "otauactive": {"type": "boolean"},
        "discovery": {"type": "boolean"},
        "unlock": {"type": "integer", "minimum": 0, "maximum": 600},
        "zigbeechannel": {"enum": [11, 15, 20, 25]},
        "timezone": {"type": "string"},
        "utc": {"type": "string"},
        "timeformat": {"enum": ["12h", "24h"]},
        "networkopenduration": {"type": "integer", "minimum": 0, "maximum": 65535},
        "websocketnotifyall": {"type": "boolean"},
    },
}

PASSWORD_BODY: Schema = {
    "type": "object",
    "required": ["username", "oldhash", "newhash"],
    "properties": {
        "username": {"type": "string"},
        "oldhash": {"type": "string"},
        "newhash": {"type": "string"},
    },
}

RESET_BODY: Schema = {
    "type": "object",
    "properties": {"resetGW": {"type": "boolean"}, "deleteDB": {"type": "boolean"}},
}

# -- lights ------------------------------------------------------------------------------------

LIGHT_STATE_BODY: Schema = {
    "type": "object",
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
    "properties": {"name": {"type": "string", "maxLength": 32}},
}

LIGHT_DELETE_BODY: Schema = {
    "type": "object",
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

GROUP_CREATE_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 32},
        "type": {
            "enum": ["LightGroup", "Room", "Zone", "Luminaire", "LightSource", "Entertainment"]
        },
        "class": {"type": "string", "maxLength": 32},
        "lights": {"type": "array", "items": {"type": "string"}},
        "hidden": {"type": "boolean"},
    },
}

GROUP_PUT_BODY: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 32},
        "lights": {"type": "array", "items": {"type": "string"}},
        "lightsequence": {"type": "array", "items": {"type": "string"}},
        "hidden": {"type": "boolean"},
        "class": {"type": "string", "maxLength": 32},
        "multideviceids": {"type": "array", "maxItems": 0},
    },
}

GROUP_ACTION_BODY: Schema = {
    "type": "object",
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
        "scene": {"type": "string"},
    },
}

SCENE_NAME_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 32}},
}

SCENE_RECALL_BODY: Schema = {
    "type": "object",
    "properties": {"transitiontime": {"type": "integer", "minimum": 0, "maximum": 65535}},
}

SCENE_LIGHT_STATE_BODY: Schema = {
    "type": "object",
    "properties": {
        k: LIGHT_STATE_BODY["properties"][k]
        for k in ("on", "bri", "hue", "sat", "ct", "xy", "transitiontime")
    },
}
