"""The sensors part of the routes table (joined into ``routes.ROUTES``).

``/sensors/new`` comes before ``/sensors/{id}``: the first matching path wins.
"""

from __future__ import annotations

from gateway.api.deconz import sensors
from gateway.api.deconz.routing import ApiRoute, Operation
from gateway.api.deconz.schemas import OBJECT, SUCCESS_LIST
from gateway.api.deconz.sensor_schemas import (
    SENSOR_CONFIG_BODY,
    SENSOR_CREATE_BODY,
    SENSOR_PUT_BODY,
    SENSOR_STATE_BODY,
    SENSORS_NEW,
)

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
                body_required=False,
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
