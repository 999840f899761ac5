"""The deCONZ / Hue v1 routes table: find the handler for any URL of the spec here.

Order matters where paths overlap: ``/api/config`` before ``/api/{apikey}``. Each module
that adds resources (lights, touchlink) contributes its own list, joined below.
"""

from __future__ import annotations

from gateway.api.deconz import config, lights, password, touchlink
from gateway.api.deconz.group_routes import GROUP_ROUTES
from gateway.api.deconz.hue_scene_routes import HUE_SCENE_ROUTES
from gateway.api.deconz.routing import ApiRoute, Operation
from gateway.api.deconz.schemas import (
    CONFIG_PUT_BODY,
    CREATE_KEY_BODY,
    ERROR_LIST,
    LIGHT_DELETE_BODY,
    LIGHT_PUT_BODY,
    LIGHT_STATE_BODY,
    LIGHTS_NEW,
    OBJECT,
    PASSWORD_BODY,
    RESET_BODY,
    SUCCESS_LIST,
    TOUCHLINK_SCAN,
)
from gateway.api.deconz.sensor_routes import SENSOR_ROUTES

CONFIG_ROUTES = [
    ApiRoute(
        "/api",
        {
            "POST": Operation(
                config.create_api_key,
                "Acquire an API key (while unlocked or with the admin password)",
                request_schema=CREATE_KEY_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 429),
                auth=False,
            )
        },
    ),
    ApiRoute(
        "/api/config",
        {
            "GET": Operation(
                config.get_public_config,
                "Public configuration (no API key needed)",
                response_schema=OBJECT,
                auth=False,
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}",
        {
            "GET": Operation(
                config.get_full_state,
                "Full state: config, groups, lights, sensors, schedules, rules",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/config",
        {
            "GET": Operation(
                config.get_config,
                "Gateway configuration",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            ),
            "PUT": Operation(
                config.put_config,
                "Modify configuration parameters",
                request_schema=CONFIG_PUT_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 503),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/config/whitelist/{apikey2}",
        {
            "DELETE": Operation(
                config.delete_whitelist_entry,
                "Delete an API key (by key or by the key id the whitelist shows)",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/config/password",
        {
            "PUT": Operation(
                password.put_password,
                "Change the admin password, given the old one (wrong old passwords are "
                "throttled with POST /api's Basic credentials: 429 with Retry-After)",
                request_schema=PASSWORD_BODY,
                response_schema=OBJECT,
                error_statuses=(400, 401, 403, 429),
            ),
            "DELETE": Operation(
                password.delete_password,
                "Replace the admin password with a new random one, shown on the gateway's "
                "console (never in the answer); only from the gateway itself (loopback peer "
                "and Host) within 10 minutes of start, otherwise error 1 (403)",
                response_schema=OBJECT,
                error_statuses=(403,),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/config/reset",
        {
            "POST": Operation(
                config.post_reset,
                "Reset the network and/or the database",
                request_schema=RESET_BODY,
                response_schema=OBJECT,
                error_statuses=(400, 403, 503),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/config/update",
        {
            "POST": Operation(
                config.post_update,
                "Newest software version available",
                response_schema=OBJECT,
                error_statuses=(403,),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/config/updatefirmware",
        {
            "POST": Operation(
                config.post_update_firmware,
                "Coordinator firmware update",
                response_schema=OBJECT,
                error_statuses=(403, 503),
            )
        },
    ),
]

# ``/lights/new`` before ``/lights/{id}``: the first matching path wins.
LIGHT_ROUTES = [
    ApiRoute(
        "/api/{apikey}/lights",
        {
            "GET": Operation(
                lights.get_lights,
                "All lights",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            ),
            "POST": Operation(
                lights.search_lights,
                "Search for new lights (opens the network for 60 s)",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 503),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/lights/new",
        {
            "GET": Operation(
                lights.get_new_lights,
                "Lights found by the last search, and when it ran",
                response_schema=LIGHTS_NEW,
                error_statuses=(304, 403),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/lights/{id}",
        {
            "GET": Operation(
                lights.get_light,
                "Attributes and state of one light",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "PUT": Operation(
                lights.put_light,
                "Rename a light",
                request_schema=LIGHT_PUT_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            ),
            "DELETE": Operation(
                lights.delete_light,
                "Remove a light (with reset: ask it to leave the network)",
                request_schema=LIGHT_DELETE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
                body_required=False,  # no body: remove it here only (as {"reset": false})
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/lights/{id}/state",
        {
            "PUT": Operation(
                lights.put_light_state,
                "Set the state of a light",
                request_schema=LIGHT_STATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 500, 503),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/lights/{id}/groups",
        {
            "DELETE": Operation(
                lights.delete_light_groups,
                "Remove the light from all groups",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/lights/{id}/scenes",
        {
            "DELETE": Operation(
                lights.delete_light_scenes,
                "Remove the light from all scenes",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404),
            )
        },
    ),
]

TOUCHLINK_ROUTES = [
    ApiRoute(
        "/api/{apikey}/touchlink/scan",
        {
            "POST": Operation(
                touchlink.start_scan,
                "Scan for touchlink devices nearby (about 10 s, in the background)",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 503),
            ),
            "GET": Operation(
                touchlink.get_scan,
                "State and results of the last touchlink scan",
                response_schema=TOUCHLINK_SCAN,
                error_statuses=(304, 403, 503),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/touchlink/{id}/identify",
        {
            "POST": Operation(
                touchlink.identify,
                "Make a device found by the last scan blink",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404, 503),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/touchlink/{id}/reset",
        {
            "POST": Operation(
                touchlink.reset,
                "Reset a device found by the last scan to factory new",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404, 503),
            )
        },
    ),
]

ROUTES: list[ApiRoute] = [
    *CONFIG_ROUTES,
    *LIGHT_ROUTES,
    *GROUP_ROUTES,
    *HUE_SCENE_ROUTES,  # Hue v1 /scenes: the same scenes as /groups/<id>/scenes
    *SENSOR_ROUTES,
    *TOUCHLINK_ROUTES,
]

__all__ = ["ERROR_LIST", "ROUTES"]
