"""The sensors part of the routes table (joined into ``routes.ROUTES``).

``/sensors/new`` comes before ``/sensors/{id}``: the first matching path wins.
"""

from __future__ import annotations

from gateway.api.deconz import sensors
from gateway.api.deconz.routing import ApiRoute, Operation
from gateway.api.deconz.schemas import OBJECT, SUCCESS_LIST

SENSOR_PUT_BODY = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 32}},
}
SENSOR_CREATE_BODY = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 32},
        "modelid": {"type": "string", "maxLength": 64},
        "swversion": {"type": "string", "maxLength": 64},
        "type": {"type": "string", "enum": ["CLIPGenericFlag", "CLIPGenericStatus"]},
        "uniqueid": {"type": "string", "maxLength": 64},
        "manufacturername": {"type": "string", "maxLength": 64},
        "state": {"type": "object"},
        "config": {"type": "object"},
    },
}
SENSOR_CONFIG_BODY = {
    "type": "object",
    "properties": {
        "on": {"type": "boolean"},
        "reachable": {"type": "boolean"},
        "battery": {"type": "integer", "minimum": 0, "maximum": 100},
        "duration": {"type": "integer", "minimum": 0, "maximum": 65535},
        "sensitivity": {"type": "integer", "minimum": 0, "maximum": 2},
    },
}
SENSOR_STATE_BODY = {
    "type": "object",
    "properties": {"flag": {"type": "boolean"}, "status": {"type": "integer"}},
}
SENSORS_NEW = {
    "type": "object",
    "required": ["lastscan"],
    "properties": {"lastscan": {"type": "string"}},
}

SENSOR_ROUTES = [
    ApiRoute(
        "/api/{apikey}/sensors",
        {
            "GET": Operation(
                sensors.get_sensors,
                "All sensors",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            ),
            "POST": Operation(
                sensors.post_sensors,
                "Without a body: search for new sensors (60 s); with one: create a CLIP sensor",
                request_schema=SENSOR_CREATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 503),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/sensors/new",
        {
            "GET": Operation(
                sensors.get_new_sensors,
                "Sensors found by the last search, and when it ran",
                response_schema=SENSORS_NEW,
                error_statuses=(304, 403),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/sensors/{id}",
        {
            "GET": Operation(
                sensors.get_sensor,
                "Attributes, state and config of one sensor",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "PUT": Operation(
                sensors.put_sensor,
                "Rename a sensor",
                request_schema=SENSOR_PUT_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            ),
            "DELETE": Operation(
                sensors.delete_sensor,
                "Remove a sensor",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/sensors/{id}/config",
        {
            "PUT": Operation(
                sensors.put_sensor_config,
                "Change a sensor's configuration",
                request_schema=SENSOR_CONFIG_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/sensors/{id}/state",
        {
            "PUT": Operation(
                sensors.put_sensor_state,
                "Set the state of a CLIP sensor",
                request_schema=SENSOR_STATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            )
        },
    ),
]
