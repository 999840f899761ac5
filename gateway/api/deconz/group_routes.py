"""The groups, scenes, schedules and rules part of the deCONZ / Hue v1 routes table.

Joined into ``routes.ROUTES``; kept apart so that the main table stays readable.
``/groups/{id}/scenes/{sid}/store`` and ``/recall`` come before nothing that could
shadow them: Starlette matches each path as a whole.
"""

from __future__ import annotations

from gateway.api.deconz import groups, scenes
from gateway.api.deconz.routing import ApiRoute, Operation
from gateway.api.deconz.schemas import (
    GROUP_ACTION_BODY,
    GROUP_CREATE_BODY,
    GROUP_PUT_BODY,
    OBJECT,
    SCENE_LIGHT_STATE_BODY,
    SCENE_NAME_BODY,
    SCENE_RECALL_BODY,
    SUCCESS_LIST,
)

GROUP = "/api/{apikey}/groups/{id}"
SCENE = GROUP + "/scenes/{sid}"

GROUP_ROUTES = [
    ApiRoute(
        "/api/{apikey}/groups",
        {
            "GET": Operation(
                groups.get_groups,
                "All groups (group 0 is not listed)",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            ),
            "POST": Operation(
                groups.create_group,
                "Create a group",
                request_schema=GROUP_CREATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 503),
            ),
        },
    ),
    ApiRoute(
        GROUP,
        {
            "GET": Operation(
                groups.get_group,
                "Attributes and state of a group (0: all lights)",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "PUT": Operation(
                groups.put_group,
                "Rename a group, set its lights, order, class or hidden flag",
                request_schema=GROUP_PUT_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            ),
            "DELETE": Operation(
                groups.delete_group,
                "Delete a group",
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            ),
        },
    ),
    ApiRoute(
        GROUP + "/action",
        {
            "PUT": Operation(
                groups.put_group_action,
                "Set the state of every light of the group (one groupcast per command)",
                request_schema=GROUP_ACTION_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            )
        },
    ),
    ApiRoute(
        GROUP + "/scenes",
        {
            "GET": Operation(
                scenes.get_scenes,
                "All scenes of a group",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "POST": Operation(
                scenes.create_scene,
                "Create a scene from the members' current states",
                request_schema=SCENE_NAME_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            ),
        },
    ),
    ApiRoute(
        SCENE,
        {
            "GET": Operation(
                scenes.get_scene,
                "A scene with the state stored for each light",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "PUT": Operation(
                scenes.put_scene,
                "Rename a scene",
                request_schema=SCENE_NAME_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            ),
            "DELETE": Operation(
                scenes.delete_scene,
                "Delete a scene (removed from every lamp)",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404, 503),
            ),
        },
    ),
    ApiRoute(
        SCENE + "/store",
        {
            "PUT": Operation(
                scenes.store_scene,
                "Store the members' current states in the scene",
                response_schema=SUCCESS_LIST,
                error_statuses=(403, 404, 503),
            )
        },
    ),
    ApiRoute(
        SCENE + "/recall",
        {
            "PUT": Operation(
                scenes.recall_scene,
                "Recall the scene (one groupcast)",
                request_schema=SCENE_RECALL_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
                body_required=False,  # no body: recall with the scene's own transition
            )
        },
    ),
    ApiRoute(
        SCENE + "/lights/{lid}/state",
        {
            "PUT": Operation(
                scenes.put_scene_light_state,
                "Set one light's state in the scene (ZCL Add Scene in that lamp)",
                request_schema=SCENE_LIGHT_STATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404, 503),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/schedules",
        {
            "GET": Operation(
                groups.get_schedules,
                "Schedules (none: the gateway has no scheduler)",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/rules",
        {
            "GET": Operation(
                groups.get_rules,
                "Rules (none: the gateway has no rule engine)",
                response_schema=OBJECT,
                error_statuses=(304, 403),
            )
        },
    ),
]
