"""Handlers for the deCONZ / Hue v1 lights endpoints (``spec/deconz-lights.md``).

HTTP only: parse and validate bodies (types and ranges, error 7; unknown or unsupported
parameters, error 6), call :class:`gateway.domain.lights.LightsService`, shape the answers.
Which parameter a light supports follows what its ``state`` shows: a dimmable light has
no ``hue``, so ``{"hue": 1}`` to it is error 6, not 7. ``effect``/``colorloopspeed`` need
a light that can colour-loop; ``alert`` needs the Identify cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz import increments, params
from gateway.api.deconz.routing import ApiRequest, json_response, success_item
from gateway.domain.lights import (
    ALERT_SECONDS,
    COMMAND_PARAMS,
    Light,
    LightNotFound,
    LightsService,
    Outcome,
    ParamResult,
    StateRequest,
)
from gateway.domain.lights.model import Capabilities, LightUnreachable

NAME_MAX = 32


def _service(api: ApiRequest) -> LightsService | None:
    return api.services.lights


def _light(api: ApiRequest) -> tuple[LightsService, Light]:
    """The service and the light named in the path, or error 3 (404)."""
    light_id = api.param("id")
    service = _service(api)
    if service is None:
        raise errors.resource_not_available(f"/lights/{light_id}")
    try:
        return service, service.get(light_id)
    except LightNotFound:
        raise errors.resource_not_available(f"/lights/{light_id}") from None


async def _optional_object(api: ApiRequest, address: str) -> dict[str, Any]:
    """A JSON object body, or {} when the body is empty (DELETE may carry none)."""
    raw = await api.request.body()
    if not raw.strip():
        return {}
    return await api.json_object(address)


# -- collection ----------------------------------------------------------------------------


async def get_lights(api: ApiRequest) -> Response:
    service = _service(api)
    body = service.render_all() if service is not None else {}
    return json_response(body, request=api.request)


async def get_new_lights(api: ApiRequest) -> Response:
    service = _service(api)
    body = service.new_lights() if service is not None else {"lastscan": "none"}
    return json_response(body, request=api.request)


async def search_lights(api: ApiRequest) -> Response:
    """``POST /lights``: any body is accepted and ignored (Hue's ``deviceid`` list too).

    The answer is the Hue spec's single item; deCONZ adds ``/lights/duration`` to it, which
    the spec does not show (the duration is always 60 s).
    """
    service = _service(api)
    if service is None:
        raise errors.not_connected("/lights", "Not connected")
    await service.search()
    return json_response([{"success": {"/lights": "Searching for new devices"}}], etag=False)


# -- one light -------------------------------------------------------------------------------


async def get_light(api: ApiRequest) -> Response:
    service, light = _light(api)
    return json_response(service.render(light), request=api.request)


async def put_light(api: ApiRequest) -> Response:
    """``PUT /lights/<id>``: rename (the only attribute a light has to set)."""
    service, light = _light(api)
    address = f"/lights/{light.rid}"
    body = await api.json_object(address)
    problems: list[errors.ApiError] = []
    for key, value in body.items():
        if key != "name":
            problems.append(errors.parameter_not_available(f"{address}/{key}", key))
            continue
        try:
            params.as_str(value, f"{address}/name", "name", 0, NAME_MAX)
        except errors.ApiError as exc:
            problems.append(exc)
    if not problems and "name" not in body:
        problems.append(errors.missing_parameters(address))
    if problems:
        return _errors(problems, api)
    await service.rename(light.rid, body["name"])
    return json_response([success_item(f"{address}/name", body["name"])], etag=False)


async def delete_light(api: ApiRequest) -> Response:
    """``DELETE /lights/<id>`` with an optional ``{"reset": true}`` (ZDO leave request)."""
    service, light = _light(api)
    address = f"/lights/{light.rid}"
    body = await _optional_object(api, address)
    problems: list[errors.ApiError] = []
    reset = False
    for key, value in body.items():
        if key != "reset":
            problems.append(errors.parameter_not_available(f"{address}/{key}", key))
            continue
        try:
            reset = params.as_bool(value, f"{address}/reset", "reset")
        except errors.ApiError as exc:
            problems.append(exc)
    if problems:
        return _errors(problems, api)
    await service.delete(light.rid, reset=reset)
    return json_response([{"success": {"id": light.rid}}], etag=False)


async def delete_light_groups(api: ApiRequest) -> Response:
    """The light leaves every group (its lamp is told when it answers)."""
    _, light = _light(api)
    if api.services.groups is not None:
        await api.services.groups.forget_light(light.rid)
    return json_response([{"success": {"id": light.rid}}], etag=False)


async def delete_light_scenes(api: ApiRequest) -> Response:
    """The light leaves every scene (removed from the lamp where it answers)."""
    _, light = _light(api)
    if api.services.scenes is not None:
        await api.services.scenes.forget_light(light.rid)
    return json_response([{"success": {"id": light.rid}}], etag=False)


# -- PUT /lights/<id>/state ----------------------------------------------------------------


def _xy(value: Any, address: str, name: str) -> list[float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(0.0 <= float(v) <= 1.0 for v in value)
    )
    if not ok:
        raise errors.invalid_value(address, name, value)
    return [float(value[0]), float(value[1])]


Check = Callable[[Any, str, str], Any]


def _int(lo: int, hi: int) -> Check:
    return lambda value, address, name: params.as_int(value, address, name, lo, hi)


def _choice(*choices: str) -> Check:
    return lambda value, address, name: params.as_choice(value, address, name, choices)


# name -> (validator, does the light support it?)
STATE_PARAMS: dict[str, tuple[Check, Callable[[Capabilities], bool]]] = {
    "on": (params.as_bool, lambda caps: True),
    "bri": (_int(0, 255), lambda caps: caps.level),
    "hue": (_int(0, 65535), lambda caps: caps.hue_sat),
    "sat": (_int(0, 255), lambda caps: caps.hue_sat),
    "ct": (_int(153, 500), lambda caps: caps.ct),
    "xy": (_xy, lambda caps: caps.xy),
    "alert": (_choice(*ALERT_SECONDS), lambda caps: caps.identify),
    "effect": (_choice("none", "colorloop"), lambda caps: caps.colorloop),
    "colorloopspeed": (_int(1, 255), lambda caps: caps.colorloop),
    "transitiontime": (_int(0, 65535), lambda caps: True),
}


def parse_state(light: Light, body: dict[str, Any]) -> StateRequest | list[errors.ApiError]:
    """Validate a state body against the light: a request, or every problem found."""
    base = f"/lights/{light.rid}/state"
    problems: list[errors.ApiError] = []
    values: dict[str, Any] = {}
    for name, value in body.items():
        address = f"{base}/{name}"
        entry = STATE_PARAMS.get(name)
        if entry is None or not entry[1](light.caps):
            problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            values[name] = entry[0](value, address, name)
        except errors.ApiError as exc:
            problems.append(exc)
    if problems:
        return problems
    if "colorloopspeed" in values and values.get("effect") != "colorloop":
        return [
            errors.ApiError(
                errors.MISSING_PARAMETER,
                base,
                "missing parameter, effect, for parameter, colorloopspeed",
                400,
            )
        ]
    commands = tuple((n, v) for n, v in values.items() if n in COMMAND_PARAMS)
    if not commands:
        return [errors.missing_parameters(base)]
    return StateRequest(
        params=commands,
        transition=values.get("transitiontime"),
        colorloopspeed=values.get("colorloopspeed"),
    )


def _result_item(light: Light, result: ParamResult) -> dict[str, Any] | errors.ApiError:
    address = f"/lights/{light.rid}/state/{result.name}"
    match result.outcome:
        case Outcome.OK:
            return success_item(address, result.value)
        case Outcome.DEVICE_OFF:
            return errors.device_off(address, result.name)
        case Outcome.NOT_REACHABLE:
            return errors.device_not_reachable(address)
        case Outcome.REFUSED:
            why = f"Internal error, {result.detail}"
            return errors.internal_error(address, why)
        case Outcome.RADIO_BUSY:
            return errors.bridge_busy(address, result.detail)
        case Outcome.RADIO_DOWN:
            return errors.not_connected(address, result.detail or "Not connected")
    raise AssertionError(result.outcome)  # pragma: no cover


async def put_light_state(api: ApiRequest) -> Response:
    service, light = _light(api)
    base = f"/lights/{light.rid}/state"
    body = await api.json_object(base)
    if not body:
        raise errors.invalid_json(base)
    ct_range = (light.caps.ct_min, light.caps.ct_max)
    body, renamed, problems = increments.resolve(body, light.state, base, ct_range=ct_range)
    parsed = problems if problems else parse_state(light, body)
    if isinstance(parsed, list):
        return _errors(parsed, api)
    try:
        results = await service.set_state(light.rid, parsed)
    except LightUnreachable:
        raise errors.device_not_reachable(base) from None
    except LightNotFound:  # deleted while we waited
        raise errors.resource_not_available(f"/lights/{light.rid}") from None
    items = [_result_item(light, r) for r in results]
    failures = [i for i in items if isinstance(i, errors.ApiError)]
    status = 200 if len(failures) < len(items) else errors.error_status(failures, api.hue_mode)
    rendered = [i.item() if isinstance(i, errors.ApiError) else i for i in items]
    return json_response(increments.rename_items(rendered, renamed), status, etag=False)


def _errors(problems: list[errors.ApiError], api: ApiRequest) -> Response:
    return json_response(
        [p.item() for p in problems], errors.error_status(problems, api.hue_mode), etag=False
    )
