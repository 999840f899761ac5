"""Handlers for the deCONZ scenes endpoints (``/groups/<id>/scenes/...``).

HTTP only: find group and scene (error 3), validate bodies, call
:class:`gateway.domain.groups.ScenesService`, shape the answers as deCONZ does:
``[{"success": {"id": "<sid>"}}]`` for create, store, recall and delete; one success item
per attribute for a rename or a light state. Group 0 has no scenes (error 8 on create).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz import params
from gateway.api.deconz.groups import answer, group_of, not_modifiable
from gateway.api.deconz.lights import STATE_PARAMS
from gateway.api.deconz.routing import ApiRequest, json_response, success_item
from gateway.domain.groups import (
    ALL_GROUP_ID,
    Group,
    Scene,
    SceneNotFound,
    ScenesService,
    SceneTableFull,
)
from gateway.domain.groups.rendering import render_scene, render_scenes
from gateway.domain.lights import LightNotFound
from gateway.domain.lights.model import LightRefused, LightUnreachable
from gateway.domain.radio import RadioUnavailable

NAME_MAX = 32
# What a scene may hold for one light (plus transitiontime for the whole scene).
SCENE_LIGHT_PARAMS = ("on", "bri", "hue", "sat", "ct", "xy", "transitiontime")


def _scenes(api: ApiRequest) -> ScenesService:
    scenes = api.services.scenes
    if scenes is None:
        if api.request.method in ("GET", "HEAD"):
            raise errors.resource_not_available(api.resource)
        raise RadioUnavailable("no Zigbee radio is configured")
    return scenes


def _scene(api: ApiRequest) -> tuple[ScenesService, Group, Scene]:
    _, group = group_of(api)
    scenes = _scenes(api)
    scene_id = api.param("sid")
    try:
        return scenes, group, scenes.get(group, scene_id)
    except SceneNotFound:
        raise errors.resource_not_available(f"/groups/{group.rid}/scenes/{scene_id}") from None


async def _name_body(api: ApiRequest, address: str) -> str:
    body = await api.json_object(address)
    problems: list[errors.ApiError] = []
    for key in body:
        if key != "name":
            problems.append(errors.parameter_not_available(f"{address}/{key}", key))
    if "name" not in body and not problems:
        problems.append(errors.missing_parameters(address))
    if problems:
        raise problems[0]
    return params.as_str(body["name"], f"{address}/name", "name", 1, NAME_MAX)


async def get_scenes(api: ApiRequest) -> Response:
    _, group = group_of(api)
    return json_response(render_scenes(group), request=api.request)


async def create_scene(api: ApiRequest) -> Response:
    _, group = group_of(api)
    scenes = _scenes(api)
    address = f"/groups/{group.rid}/scenes"
    if group.id == ALL_GROUP_ID:
        raise not_modifiable(address)
    name = await _name_body(api, address)
    try:
        scene = await scenes.create(group, name)
    except SceneTableFull:
        raise errors.internal_error(address, "no free scene id in this group", 503) from None
    return json_response([{"success": {"id": scene.rid}}], etag=False)


async def get_scene(api: ApiRequest) -> Response:
    _, _, scene = _scene(api)
    return json_response(render_scene(scene), request=api.request)


async def put_scene(api: ApiRequest) -> Response:
    scenes, group, scene = _scene(api)
    address = f"/groups/{group.rid}/scenes/{scene.rid}"
    name = await _name_body(api, address)
    await scenes.rename(group, scene, name)
    return json_response([success_item(f"{address}/name", name)], etag=False)


async def delete_scene(api: ApiRequest) -> Response:
    scenes, group, scene = _scene(api)
    await scenes.delete(group, scene)
    return json_response([{"success": {"id": scene.rid}}], etag=False)


async def store_scene(api: ApiRequest) -> Response:
    scenes, group, scene = _scene(api)
    await scenes.store(group, scene)
    return json_response([{"success": {"id": scene.rid}}], etag=False)


async def recall_scene(api: ApiRequest) -> Response:
    """``PUT .../recall`` with an optional ``{"transitiontime": 1/10 s}``."""
    scenes, group, scene = _scene(api)
    address = f"/groups/{group.rid}/scenes/{scene.rid}/recall"
    raw = await api.request.body()
    transition: int | None = None
    if raw.strip():
        body = await api.json_object(address)
        for key, value in body.items():
            if key != "transitiontime":
                raise errors.parameter_not_available(f"{address}/{key}", key)
            transition = params.as_int(value, f"{address}/{key}", key, 0, 65535)
    await scenes.recall(group, scene, transition)
    return json_response([{"success": {"id": scene.rid}}], etag=False)


async def put_scene_light_state(api: ApiRequest) -> Response:
    """``PUT .../scenes/<sid>/lights/<lid>/state``: that light's values in the scene."""
    scenes, group, scene = _scene(api)
    light_id = api.param("lid")
    base = f"/groups/{group.rid}/scenes/{scene.rid}/lights/{light_id}/state"
    if light_id not in group.lights:
        raise errors.resource_not_available(
            f"/groups/{group.rid}/scenes/{scene.rid}/lights/{light_id}"
        )
    try:
        light = scenes.groups.lights.get(light_id)
    except LightNotFound:
        raise errors.resource_not_available(f"/lights/{light_id}") from None
    body = await api.json_object(base)
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    for name, value in body.items():
        address = f"{base}/{name}"
        entry = STATE_PARAMS.get(name)
        if name not in SCENE_LIGHT_PARAMS or entry is None:
            problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            values[name] = entry[0](value, address, name)
        except errors.ApiError as exc:
            problems.append(exc)
    if not problems and not values:
        problems.append(errors.missing_parameters(base))
    if problems:
        return answer(problems, api)
    transition = values.pop("transitiontime", None)
    try:
        await scenes.set_light_state(group, scene, light, values, transition)
    except (LightUnreachable, LightRefused):
        raise errors.device_not_reachable(base) from None
    items = [success_item(f"{base}/{k}", v) for k, v in body.items()]
    return json_response(items, etag=False)
