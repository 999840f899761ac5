"""The Hue v1 top-level scenes part of the routes table (``/api/<key>/scenes``), with the
request schemas ``/openapi.json`` shows for it.

Joined into ``routes.ROUTES``; kept apart so that the main table stays readable and this
resource's description sits next to its routes.
"""

from __future__ import annotations

from gateway.api.deconz import hue_scenes
from gateway.api.deconz.routing import ApiRoute, Operation
from gateway.api.deconz.schemas import (
    LIGHT_STATE_BODY,
    OBJECT,
    SUCCESS_LIST,
    Schema,
    text,
)

APPDATA: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 0, "maximum": 65535},
        "data": text(16),
    },
}
LIGHT_IDS: Schema = {"type": "array", "minItems": 1, "items": {"type": "string"}}

HUE_LIGHTSTATE_BODY: Schema = {
    "type": "object",
    "properties": {
        k: LIGHT_STATE_BODY["properties"][k]
        for k in ("on", "bri", "hue", "sat", "ct", "xy", "transitiontime")
    },
}
# Hue API 1.29: every light's state in one body, {"<light id>": {state}}
LIGHTSTATES: Schema = {"type": "object", "additionalProperties": HUE_LIGHTSTATE_BODY}
# Hue API 1.36: the id of the picture the Hue app shows for a scene (POST only); the
# length keeps out a trailing newline, which "$" alone would let a generator add
IMAGE: Schema = {
    "type": "string",
    "minLength": 36,
    "maxLength": 36,
    "pattern": f"^{hue_scenes.IMAGE_PATTERN}$",
}

HUE_SCENE_CREATE_BODY: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": text(32, 1),
        "type": {"enum": ["GroupScene", "LightScene"]},
        "group": {"type": "string"},
        "lights": LIGHT_IDS,
        "recycle": {"type": "boolean"},
        "appdata": APPDATA,
        "picture": text(16),
        "image": IMAGE,
        "transitiontime": {
            **LIGHT_STATE_BODY["properties"]["transitiontime"],
            "description": "1/10 s for the states captured now",
        },
        "lightstates": LIGHTSTATES,
    },
}

HUE_SCENE_PUT_BODY: Schema = {
    "type": "object",
    "properties": {
        "name": text(32, 1),
        "lights": LIGHT_IDS,
        "storelightstate": {"type": "boolean"},
        "transitiontime": {
            **LIGHT_STATE_BODY["properties"]["transitiontime"],
            "description": "1/10 s for the stored states; only with storelightstate true",
        },
        "appdata": APPDATA,
        "picture": text(16),
        "lightstates": LIGHTSTATES,
    },
}

SCENE = "/api/{apikey}/scenes/{id}"

HUE_SCENE_ROUTES = [
    ApiRoute(
        "/api/{apikey}/scenes",
        {
            "GET": Operation(
                hue_scenes.get_scenes,
                "All scenes of all groups, as Hue v1 scene objects (id <gid>-<sid>)",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            ),
            "POST": Operation(
                hue_scenes.create_scene,
                "Create a scene (GroupScene with group, or LightScene with lights)",
                request_schema=HUE_SCENE_CREATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 503),
            ),
        },
    ),
    ApiRoute(
        SCENE,
        {
            "GET": Operation(
                hue_scenes.get_scene,
                "A scene with its lightstates",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "PUT": Operation(
                hue_scenes.put_scene,
                "Rename a scene, set its lights, store the lights' current states (with a "
                "transitiontime for them)",
                request_schema=HUE_SCENE_PUT_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            ),
            "DELETE": Operation(
                hue_scenes.delete_scene,
                "Delete a scene (removed from every lamp)",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404, 503),
            ),
        },
    ),
    ApiRoute(
        SCENE + "/lightstates/{lid}",
        {
            "PUT": Operation(
                hue_scenes.put_lightstate,
                "Set one light's state in the scene (ZCL Add Scene in that lamp)",
                request_schema=HUE_LIGHTSTATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            )
        },
    ),
]
