"""Handlers for the Hue v1 top-level scenes (``/api/<key>/scenes/...``).

deCONZ keeps scenes under their group; Hue clients (phue, aiohue v1, the Hue app) list,
create and edit them at ``/scenes``. These handlers are a second view of the same scenes:
every call goes to :class:`gateway.domain.groups.ScenesService`, the one scene store, so a
scene made here is listed under ``/groups/<gid>/scenes`` and the reverse. The id is
``"<gid>-<sid>"`` (docs/groups.md, "Hue v1 /scenes").

Bodies are validated in full before anything changes (errors 5, 6, 7 with deCONZ's
wording, HTTP 200 for Hue clients as a bridge answers); an unknown scene is error 3.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz import params
from gateway.api.deconz.groups import answer
from gateway.api.deconz.lights import STATE_PARAMS
from gateway.api.deconz.routing import ApiRequest, json_response, success_item
from gateway.domain.groups import ALL_GROUP_ID, Group, Scene, SceneNotFound, ScenesService
from gateway.domain.groups.hue_rendering import SCENE_TYPES, render_hue_scene, render_hue_scenes
from gateway.domain.groups.records import GroupNotFound, SceneTableFull
from gateway.domain.lights import LightNotFound
from gateway.domain.lights.model import LightRefused, LightUnreachable
from gateway.domain.radio import RadioUnavailable

NAME_MAX = 32
PICTURE_MAX = 16
APPDATA_DATA_MAX = 16
LIGHTSTATE_PARAMS = ("on", "bri", "hue", "sat", "ct", "xy", "transitiontime")
IMAGE_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _service(api: ApiRequest) -> ScenesService:
    scenes = api.services.scenes
    if scenes is None:
        if api.request.method in ("GET", "HEAD"):
            raise errors.resource_not_available(api.resource)
        raise RadioUnavailable("no Zigbee radio is configured")
    return scenes


def _scene(api: ApiRequest) -> tuple[ScenesService, Group, Scene]:
    scenes = _service(api)
    scene_id = api.param("id")
    try:
        group, scene = scenes.find(scene_id)
    except SceneNotFound:
        raise errors.resource_not_available(f"/scenes/{scene_id}") from None
    return scenes, group, scene


def _appdata(value: Any, address: str, name: str) -> dict[str, Any]:
    """Hue's ``{"version": int, "data": "<= 16 chars"}``, kept for the client as given."""
    if not isinstance(value, dict) or set(value) - {"version", "data"}:
        raise errors.invalid_value(address, name, value)
    if "version" in value:
        params.as_int(value["version"], address, name, 0, 65535)
    if "data" in value:
        params.as_str(value["data"], address, name, 0, APPDATA_DATA_MAX)
    return dict(value)


def _image(value: Any, address: str, name: str) -> str:
    """Hue 1.36's ``image``: the UUID of the picture (one of Signify's) the Hue app shows
    for the scene; only the 36-character form a bridge gives, kept as the client sent it."""
    if not isinstance(value, str) or re.fullmatch(IMAGE_PATTERN, value) is None:
        raise errors.invalid_value(address, name, value)
    return value


def _members(group: Group, value: Any, address: str, name: str) -> list[str]:
    """A non-empty list of the group's light ids, each once."""
    ok = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    if not ok or not set(value) <= set(group.lights) or len(set(value)) != len(value):
        raise errors.invalid_value(address, name, value)
    return list(value)


def _light_ids(scenes: ScenesService, value: Any, address: str, name: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise errors.invalid_value(address, name, value)
    for light_id in value:
        try:
            scenes.groups.lights.get(light_id)
        except LightNotFound:
            raise errors.invalid_value(address, name, value) from None
    return list(dict.fromkeys(value))


def _state_values(body: Any, base: str) -> tuple[dict[str, Any], list[errors.ApiError]]:
    """One light's scene values (``on``, ``bri``, ``xy``, ``ct``, ``hue``, ``sat``,
    ``transitiontime``), checked as a light's state is; errors name ``base/<param>``."""
    if not isinstance(body, dict):
        return {}, [errors.invalid_value(base, base.rsplit("/", 1)[-1], body)]
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    for name, value in body.items():
        address = f"{base}/{name}"
        entry = STATE_PARAMS.get(name)
        if name not in LIGHTSTATE_PARAMS or entry is None:
            problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            values[name] = entry[0](value, address, name)
        except errors.ApiError as exc:
            problems.append(exc)
    if not problems and not values:
        problems.append(errors.missing_parameters(base))
    return values, problems


def _lightstates(
    value: Any, base: str, allowed: list[str]
) -> tuple[dict[str, dict[str, Any]], list[errors.ApiError]]:
    """Hue 1.29's bulk ``lightstates``: ``{"<lid>": {state}}`` for lights of the scene."""
    if not isinstance(value, dict) or not value:
        return {}, [errors.invalid_value(base, "lightstates", value)]
    found: dict[str, dict[str, Any]] = {}
    problems: list[errors.ApiError] = []
    for light_id, body in value.items():
        if light_id not in allowed:
            problems.append(errors.invalid_value(base, "lightstates", value))
            continue
        found[light_id], more = _state_values(body, f"{base}/{light_id}")
        problems += more
    return found, problems


async def _apply_lightstates(
    scenes: ScenesService, group: Group, scene: Scene, states: dict[str, dict[str, Any]],
    base: str,
) -> list[errors.ApiError]:  # fmt: skip
    """ZCL Add Scene in each lamp; a lamp that does not answer is error 202 in the answer
    and keeps the state captured from it (or none)."""
    failed: list[errors.ApiError] = []
    for light_id, values in states.items():
        values = dict(values)
        transition = values.pop("transitiontime", None)
        try:
            light = scenes.groups.lights.get(light_id)
            await scenes.set_light_state(group, scene, light, values, transition)
        except (LightUnreachable, LightRefused, LightNotFound):
            failed.append(errors.device_not_reachable(f"{base}/{light_id}"))
    return failed


def group_for_lights(scenes: ScenesService, lights: list[str]) -> Group | None:
    """A ``LightScene`` lives in the smallest group holding all its lights (lowest id on a
    tie): its Zigbee scene is stored in those lamps under that group's address, and the
    group's other members, which have no such scene, ignore its recall."""
    holding = [g for g in scenes.groups.all() if set(lights) <= set(g.lights)]
    return min(holding, key=lambda g: (len(g.lights), g.id), default=None)


# -- collection --------------------------------------------------------------------------------


async def get_scenes(api: ApiRequest) -> Response:
    scenes = api.services.scenes
    return json_response(render_hue_scenes(scenes.all()) if scenes else {}, request=api.request)


async def create_scene(api: ApiRequest) -> Response:
    """``POST /scenes``: a new scene from the lights' current states (ZCL Store Scene)."""
    scenes = _service(api)
    body = await api.json_object("/scenes")
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    for key, value in body.items():
        address = f"/scenes/{key}"
        try:
            if key == "name":
                values[key] = params.as_str(value, address, key, 1, NAME_MAX)
            elif key == "type":
                values[key] = params.as_choice(value, address, key, SCENE_TYPES)
            elif key == "group":
                values[key] = _group_param(scenes, value, address, key)
            elif key == "lights":
                values[key] = _light_ids(scenes, value, address, key)
            elif key == "recycle":
                values[key] = params.as_bool(value, address, key)
            elif key == "appdata":
                values[key] = _appdata(value, address, key)
            elif key == "picture":
                values[key] = params.as_str(value, address, key, 0, PICTURE_MAX)
            elif key == "image":
                values[key] = _image(value, address, key)
            elif key == "transitiontime":  # for the states captured now (R's PhilipsHue: 4)
                values[key] = params.as_int(value, address, key, 0, 65535)
            elif key != "lightstates":  # checked below, once the scene's lights are known
                problems.append(errors.parameter_not_available(address, key))
        except errors.ApiError as exc:
            problems.append(exc)
    kind = values.get("type", "GroupScene" if "group" in values else "LightScene")
    if not problems:
        missing = "name" not in values or (
            "group" not in values if kind == "GroupScene" else "lights" not in values
        )
        if missing:
            problems.append(errors.missing_parameters("/scenes"))
        elif kind == "LightScene" and "group" in values:
            problems.append(errors.invalid_value("/scenes/group", "group", body["group"]))
    group: Group | None = values.get("group")
    lights: list[str] | None = values.get("lights")
    if not problems and group is not None and lights is not None:
        try:
            _members(group, lights, "/scenes/lights", "lights")
        except errors.ApiError as exc:
            problems.append(exc)
    if not problems and group is None:
        group = group_for_lights(scenes, lights or [])
        if group is None:  # no group holds them: create one first (docs/groups.md)
            problems.append(errors.invalid_value("/scenes/lights", "lights", body["lights"]))
    states: dict[str, dict[str, Any]] = {}
    if not problems and group is not None and "lightstates" in body:
        allowed = lights if lights is not None else group.lights
        states, problems = _lightstates(body["lightstates"], "/scenes/lightstates", allowed)
    if problems or group is None:
        return answer(problems, api)
    meta: dict[str, Any] = {
        k: values[k] for k in ("recycle", "appdata", "picture", "image") if k in values
    }
    meta.update(type=kind, owner=api.client.key_id if api.client else "")
    try:
        scene = await scenes.create(
            group, values["name"], lights=lights, reuse_name=False, meta=meta,
            transition=values.get("transitiontime"),
        )  # fmt: skip
    except SceneTableFull:
        raise errors.internal_error("/scenes", "no free scene id in this group", 503) from None
    failed = await _apply_lightstates(
        scenes, group, scene, states, f"/scenes/{scene.hue_id}/lightstates"
    )
    return answer([{"success": {"id": scene.hue_id}}, *failed], api)


def _group_param(scenes: ScenesService, value: Any, address: str, name: str) -> Group:
    if not isinstance(value, str) or value == str(ALL_GROUP_ID):
        raise errors.invalid_value(address, name, value)
    try:
        return scenes.groups.get(value)
    except GroupNotFound:
        raise errors.invalid_value(address, name, value) from None


# -- one scene ---------------------------------------------------------------------------------


async def get_scene(api: ApiRequest) -> Response:
    _, group, scene = _scene(api)
    return json_response(render_hue_scene(group, scene, lightstates=True), request=api.request)


async def put_scene(api: ApiRequest) -> Response:
    """``PUT /scenes/<id>``: name, lights, storelightstate (with a ``transitiontime`` for
    the stored states, Hue's only use of it here), appdata, picture.

    ``image`` is set on creation only (a Hue bridge's scene takes it in POST alone), and a
    ``transitiontime`` without ``storelightstate: true`` has nothing to apply to: both are
    error 6, as any parameter this resource does not take."""
    scenes, group, scene = _scene(api)
    base = f"/scenes/{scene.hue_id}"
    body = await api.json_object(base)
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    for key, value in body.items():
        address = f"{base}/{key}"
        try:
            if key == "name":
                values[key] = params.as_str(value, address, key, 1, NAME_MAX)
            elif key == "lights":
                values[key] = _members(group, value, address, key)
            elif key == "storelightstate":
                values[key] = params.as_bool(value, address, key)
            elif key == "transitiontime" and body.get("storelightstate") is True:
                values[key] = params.as_int(value, address, key, 0, 65535)
            elif key == "appdata":
                values[key] = _appdata(value, address, key)
            elif key == "picture":
                values[key] = params.as_str(value, address, key, 0, PICTURE_MAX)
            elif key != "lightstates":  # checked below, against the (new) lights
                problems.append(errors.parameter_not_available(address, key))
        except errors.ApiError as exc:
            problems.append(exc)
    states: dict[str, dict[str, Any]] = {}
    if not problems and "lightstates" in body:
        allowed = values.get("lights", group.lights)
        states, problems = _lightstates(body["lightstates"], f"{base}/lightstates", allowed)
    if not problems and not body:
        problems.append(errors.missing_parameters(base))
    if problems:
        return answer(problems, api)
    if "lights" in values:
        await scenes.set_lights(group, scene, values["lights"])
    if values.get("storelightstate"):
        # a GroupScene covers its group; a LightScene keeps to its own lights
        only = list(scene.states) if scene.meta.get("type") == "LightScene" else None
        await scenes.store(group, scene, only, values.get("transitiontime"))
    meta: dict[str, Any] = {k: values[k] for k in ("appdata", "picture") if k in values}
    if meta:
        await scenes.set_meta(scene, meta)
    if "name" in values:
        await scenes.rename(group, scene, values["name"])
    failed = await _apply_lightstates(scenes, group, scene, states, f"{base}/lightstates")
    done = [success_item(f"{base}/{k}", v) for k, v in body.items() if k != "lightstates"]
    if states and not failed:
        done.append(success_item(f"{base}/lightstates", body["lightstates"]))
    return answer([*done, *failed], api)


async def put_lightstate(api: ApiRequest) -> Response:
    """``PUT /scenes/<id>/lightstates/<lid>``: ZCL Add Scene in that lamp with these values."""
    scenes, group, scene = _scene(api)
    light_id = api.param("lid")
    base = f"/scenes/{scene.hue_id}/lightstates/{light_id}"
    if light_id not in group.lights:
        raise errors.resource_not_available(base)
    try:
        light = scenes.groups.lights.get(light_id)
    except LightNotFound:
        raise errors.resource_not_available(f"/lights/{light_id}") from None
    body = await api.json_object(base)
    values, problems = _state_values(body, base)
    if problems:
        return answer(problems, api)
    transition = values.pop("transitiontime", None)
    try:
        await scenes.set_light_state(group, scene, light, values, transition)
    except (LightUnreachable, LightRefused):
        raise errors.device_not_reachable(base) from None
    return json_response([success_item(f"{base}/{k}", v) for k, v in body.items()], etag=False)


async def delete_scene(api: ApiRequest) -> Response:
    """Removed from every lamp (ZCL Remove Scene) and the store; Hue's success shape."""
    scenes, group, scene = _scene(api)
    await scenes.delete(group, scene)
    return json_response([{"success": f"/scenes/{scene.hue_id} deleted"}], etag=False)
