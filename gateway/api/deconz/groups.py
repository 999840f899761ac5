"""Handlers for the deCONZ / Hue v1 groups endpoints.

HTTP only: validate bodies (error 5/6/7 with deCONZ's wording), call
:class:`gateway.domain.groups.GroupsService`, shape the answers. Group 0 (all lights)
answers GET and ``PUT .../action`` and is not listed in ``GET /groups`` (as deCONZ); it
cannot be renamed, given lights or deleted (error 8). A name that exists already makes
``POST /groups`` answer that group's id without creating one (deCONZ).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz import increments, params
from gateway.api.deconz.lights import STATE_PARAMS
from gateway.api.deconz.routing import ApiRequest, json_response, success_item
from gateway.domain.groups import (
    ALL_GROUP_ID,
    Group,
    GroupNotFound,
    GroupsService,
    SceneNotFound,
)
from gateway.domain.groups.records import GROUP_TYPES
from gateway.domain.lights import COMMAND_PARAMS, LightNotFound, Outcome, ParamResult
from gateway.domain.lights.records import StateRequest
from gateway.domain.radio import RadioUnavailable

NAME_MAX = 32
CLASS_MAX = 32


def service_of(api: ApiRequest) -> GroupsService:
    """The groups service; a gateway built without one has no groups to read (404) and
    nothing to change them with (503, as without a radio)."""
    service = api.services.groups
    if service is None:
        if api.request.method in ("GET", "HEAD"):
            raise errors.resource_not_available(api.resource)
        raise RadioUnavailable("no Zigbee radio is configured")
    return service


def group_of(api: ApiRequest) -> tuple[GroupsService, Group]:
    service = service_of(api)
    group_id = api.param("id")
    try:
        return service, service.get(group_id)
    except GroupNotFound:
        raise errors.resource_not_available(f"/groups/{group_id}") from None


def not_modifiable(address: str) -> errors.ApiError:
    return errors.ApiError(
        errors.PARAMETER_NOT_MODIFIABLE, address, f"resource, {address}, is not modifiable", 400
    )


def answer(items: list[Any], api: ApiRequest) -> Response:
    """A list of success items and/or errors; any success makes it HTTP 200."""
    failures = [i for i in items if isinstance(i, errors.ApiError)]
    status = 200 if len(failures) < len(items) else errors.error_status(failures, api.hue_mode)
    body = [i.item() if isinstance(i, errors.ApiError) else i for i in items]
    return json_response(body, status, etag=False)


def _light_ids(service: GroupsService, value: Any, address: str, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise errors.invalid_value(address, name, value)
    for light_id in value:
        try:
            service.lights.get(light_id)
        except LightNotFound:
            raise errors.invalid_value(address, name, value) from None
    return list(value)


# -- collection ----------------------------------------------------------------------------


async def get_groups(api: ApiRequest) -> Response:
    service = api.services.groups
    return json_response(service.render_all() if service else {}, request=api.request)


async def create_group(api: ApiRequest) -> Response:
    service = service_of(api)
    body = await api.json_object("/groups")
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    for key, value in body.items():
        address = f"/groups/{key}"
        try:
            if key == "name":
                values["name"] = params.as_str(value, address, key, 1, NAME_MAX)
            elif key == "type":
                values["type"] = params.as_choice(value, address, key, GROUP_TYPES)
            elif key == "class":
                values["group_class"] = params.as_str(value, address, key, 0, CLASS_MAX)
            elif key == "lights":
                values["lights"] = _light_ids(service, value, address, key)
            elif key == "hidden":
                values["hidden"] = params.as_bool(value, address, key)
            else:
                problems.append(errors.parameter_not_available(address, key))
        except errors.ApiError as exc:
            problems.append(exc)
    if not problems and "name" not in values:
        problems.append(errors.missing_parameters("/groups"))
    if problems:
        return answer(problems, api)
    for group in service.all():
        if group.name == values["name"]:
            return json_response([{"success": {"id": group.rid}}], etag=False)
    group = await service.create(**values)
    return json_response([{"success": {"id": group.rid}}], etag=False)


# -- one group -------------------------------------------------------------------------------


async def get_group(api: ApiRequest) -> Response:
    service, group = group_of(api)
    return json_response(service.render(group), request=api.request)


async def put_group(api: ApiRequest) -> Response:
    """``PUT /groups/<id>``: name, lights, lightsequence, hidden, class (validated first)."""
    service, group = group_of(api)
    base = f"/groups/{group.rid}"
    body = await api.json_object(base)
    if group.id == ALL_GROUP_ID:
        raise not_modifiable(base)
    problems: list[errors.ApiError] = []
    changes: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    sequence: list[str] | None = None
    for key, value in body.items():
        address = f"{base}/{key}"
        try:
            if key == "name":
                changes["name"] = params.as_str(value, address, key, 1, NAME_MAX)
            elif key == "lights":
                changes["lights"] = _light_ids(service, value, address, key)
            elif key == "lightsequence":
                sequence = _light_ids(service, value, address, key)
            elif key == "hidden":
                changes["hidden"] = params.as_bool(value, address, key)
            elif key == "class":
                changes["group_class"] = params.as_str(value, address, key, 0, CLASS_MAX)
            elif key == "multideviceids":
                if value != []:
                    raise errors.invalid_value(address, key, value)
            else:
                problems.append(errors.parameter_not_available(address, key))
                continue
            shown[key] = value
        except errors.ApiError as exc:
            problems.append(exc)
    if sequence is not None and not problems:
        # an order of the (new) members: the same ids, each once
        # a light named twice in "lights" is one member (the service keeps it once)
        members = list(dict.fromkeys(changes.get("lights", group.lights)))
        if sorted(sequence) != sorted(members) or len(set(sequence)) != len(sequence):
            problems.append(
                errors.invalid_value(f"{base}/lightsequence", "lightsequence", sequence)
            )
        else:
            changes["lights"] = sequence
    if not problems and not body:
        problems.append(errors.missing_parameters(base))
    if problems:
        return answer(problems, api)
    await service.update(group, **changes)
    return json_response([success_item(f"{base}/{k}", v) for k, v in shown.items()], etag=False)


async def delete_group(api: ApiRequest) -> Response:
    service, group = group_of(api)
    if group.id == ALL_GROUP_ID:
        raise not_modifiable("/groups/0")
    await service.delete(group)
    return json_response([{"success": {"id": group.rid}}], etag=False)


# -- PUT /groups/<id>/action ----------------------------------------------------------------


def _scene_id(value: Any, address: str) -> str:
    """A scene id is text ("1", Hue's "3-1"); a number names the scene of that id. JSON has
    one kind of number, so 1.0 is the scene 1 as well (as for every integer parameter)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    raise errors.invalid_value(address, "scene", value)


def parse_action(
    group: Group, body: dict[str, Any]
) -> tuple[StateRequest | None, str | None, list[errors.ApiError]]:
    """A state request for the groupcasts and/or a scene to recall, or the problems."""
    base = f"/groups/{group.rid}/action"
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    scene: str | None = None
    for name, value in body.items():
        address = f"{base}/{name}"
        if name == "scene":
            try:
                scene = _scene_id(value, address)
            except errors.ApiError as exc:
                problems.append(exc)
            continue
        entry = STATE_PARAMS.get(name)
        if entry is None:
            problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            values[name] = entry[0](value, address, name)
        except errors.ApiError as exc:
            problems.append(exc)
    commands = tuple((n, v) for n, v in values.items() if n in COMMAND_PARAMS)
    if not problems and not commands and scene is None:
        problems.append(errors.missing_parameters(base))
    if problems:
        return None, None, problems
    request = StateRequest(
        params=commands,
        transition=values.get("transitiontime"),
        colorloopspeed=values.get("colorloopspeed"),
    )
    # a scene alone still carries its transitiontime (phue's run_scene sends one)
    return (request if commands or scene is not None else None), scene, []


def _result_item(group: Group, result: ParamResult) -> dict[str, Any] | errors.ApiError:
    address = f"/groups/{group.rid}/action/{result.name}"
    if result.outcome is Outcome.OK:
        return success_item(address, result.value)
    if result.outcome is Outcome.RADIO_BUSY:
        return errors.bridge_busy(address, result.detail)
    return errors.not_connected(address, result.detail or "Not connected")


async def put_group_action(api: ApiRequest) -> Response:
    service, group = group_of(api)
    base = f"/groups/{group.rid}/action"
    body = await api.json_object(base)
    if not body:
        raise errors.invalid_json(base)
    body, renamed, problems = increments.resolve(body, group.action, base)
    if "toggle" in body:  # deCONZ: on becomes the opposite of any_on
        try:
            toggle = params.as_bool(body.pop("toggle"), f"{base}/toggle", "toggle")
        except errors.ApiError as exc:
            problems.append(exc)
        else:
            if toggle and "on" not in body:
                body["on"] = not service.render(group)["state"]["any_on"]
                renamed["on"] = "toggle"
    request, scene_id, more = parse_action(group, body) if not problems else (None, None, [])
    problems += more
    if problems:
        return answer(problems, api)
    items: list[Any] = []
    if scene_id is not None:
        scenes = api.services.scenes
        try:
            if scenes is None:
                raise SceneNotFound(scene_id)
            scene = scenes.get(group, scene_id)
        except SceneNotFound:
            return answer([errors.invalid_value(f"{base}/scene", "scene", scene_id)], api)
        transition = request.transition if request is not None else None
        await scenes.recall(group, scene, transition)
        items.append(success_item(f"{base}/scene", scene_id))
    if request is not None and request.params:
        results = await service.set_action(group, request)
        items += [_result_item(group, r) for r in results]
    response_items = [i.item() if isinstance(i, errors.ApiError) else i for i in items]
    failures = [i for i in items if isinstance(i, errors.ApiError)]
    status = 200 if len(failures) < len(items) else errors.error_status(failures, api.hue_mode)
    return json_response(increments.rename_items(response_items, renamed), status, etag=False)


# -- schedules and rules: none, as the documented empty objects ------------------------------


async def get_schedules(api: ApiRequest) -> Response:
    return json_response({}, request=api.request)


async def get_rules(api: ApiRequest) -> Response:
    return json_response({}, request=api.request)
