"""Handlers for the deCONZ sensors endpoints (deconz-rest-doc ``endpoints/sensors``).

HTTP only: parse and validate bodies, call :class:`gateway.domain.sensors.SensorsService`,
shape the answers. Every body is validated completely before anything changes: one bad
parameter means an error list and no change (deCONZ would apply the good ones; a client
that sent a bad value learns of it before half its request took effect).

Choices where the spec is silent (docs/sensors.md): ``PUT .../state`` is for CLIP sensors
(a Zigbee sensor's state comes from the device: error 8); ``reachable`` and ``battery``
are settable on CLIP sensors only (error 8 on Zigbee ones); a CLIP ``uniqueid`` already in
use is error 7.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz import params
from gateway.api.deconz.routing import ApiRequest, json_response, success_item
from gateway.domain.sensors import Sensor, SensorNotFound, SensorsService
from gateway.domain.sensors.settings import writable_config
from gateway.domain.sensors.types import CLIP_TYPES, TYPES

NAME_MAX = 32
TEXT_MAX = 64
CLIP_REQUIRED = ("name", "modelid", "swversion", "type", "uniqueid", "manufacturername")


def _sensor(api: ApiRequest) -> tuple[SensorsService, Sensor]:
    sensor_id = api.param("id")
    service = api.services.sensors
    if service is None:
        raise errors.resource_not_available(f"/sensors/{sensor_id}")
    try:
        return service, service.get(sensor_id)
    except SensorNotFound:
        raise errors.resource_not_available(f"/sensors/{sensor_id}") from None


def _errors(problems: list[errors.ApiError], api: ApiRequest) -> Response:
    return json_response(
        [p.item() for p in problems], errors.error_status(problems, api.hue_mode), etag=False
    )


def _check(value: Any, address: str, name: str, kind: type, lo: int, hi: int) -> Any:
    if kind is bool:
        return params.as_bool(value, address, name)
    return params.as_int(value, address, name, lo, hi)


# -- collection ----------------------------------------------------------------------------


async def get_sensors(api: ApiRequest) -> Response:
    service = api.services.sensors
    body = service.render_all() if service is not None else {}
    return json_response(body, request=api.request)


async def get_new_sensors(api: ApiRequest) -> Response:
    service = api.services.sensors
    body = service.new_sensors() if service is not None else {"lastscan": "none"}
    return json_response(body, request=api.request)


async def post_sensors(api: ApiRequest) -> Response:
    """Without a body: search for new sensors (60 s). With one: create a CLIP sensor."""
    service = api.services.sensors
    raw = await api.request.body()
    if not raw.strip():
        if service is None:
            raise errors.not_connected("/sensors", "Not connected")
        await service.search()
        return json_response([success_item("/sensors", "Searching for new devices")], etag=False)
    body = await api.json_object("/sensors")
    if service is None:
        raise errors.not_connected("/sensors", "Not connected")
    parsed = _parse_clip(service, body)
    if isinstance(parsed, list):
        return _errors(parsed, api)
    sensor = await service.create_clip(**parsed)
    return json_response([{"success": {"id": sensor.rid}}], etag=False)


def _parse_clip(
    service: SensorsService, body: dict[str, Any]
) -> dict[str, Any] | list[errors.ApiError]:
    problems: list[errors.ApiError] = []
    missing = [k for k in CLIP_REQUIRED if k not in body]
    if missing:
        return [errors.missing_parameters("/sensors")]
    for key in body:
        if key not in (*CLIP_REQUIRED, "state", "config"):
            problems.append(errors.parameter_not_available(f"/sensors/{key}", key))
    texts: dict[str, str] = {}
    for key in CLIP_REQUIRED:
        hi = NAME_MAX if key == "name" else TEXT_MAX
        try:
            texts[key] = params.as_str(
                body[key], f"/sensors/{key}", key, 0 if key == "swversion" else 1, hi
            )
        except errors.ApiError as exc:
            problems.append(exc)
    sensor_type = texts.get("type")
    if sensor_type is not None and sensor_type not in CLIP_TYPES:
        problems.append(errors.invalid_value("/sensors/type", "type", sensor_type))
        sensor_type = None
    if "uniqueid" in texts and service.uniqueid_taken(texts["uniqueid"]):
        problems.append(errors.invalid_value("/sensors/uniqueid", "uniqueid", texts["uniqueid"]))
    state: dict[str, Any] = {}
    config: dict[str, Any] = {}
    if sensor_type is not None:
        state = _parse_state_object(body.get("state", {}), sensor_type, "/sensors/state", problems)
        config = _parse_clip_config(body.get("config", {}), problems)
    if problems:
        return problems
    return {
        "type": texts["type"],
        "name": texts["name"],
        "uniqueid": texts["uniqueid"],
        "manufacturer": texts["manufacturername"],
        "model": texts["modelid"],
        "swversion": texts["swversion"],
        "state": state,
        "config": config,
    }


def _parse_state_object(
    value: Any, sensor_type: str, base: str, problems: list[errors.ApiError]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append(errors.invalid_value(base, "state", value))
        return {}
    kind = TYPES[sensor_type]
    state: dict[str, Any] = {}
    for name, item in value.items():
        field = kind.field(name)
        address = f"{base}/{name}"
        if field is None:
            problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            state[name] = _check(item, address, name, field.kind, field.lo, field.hi)
        except errors.ApiError as exc:
            problems.append(exc)
    return state


def _parse_clip_config(value: Any, problems: list[errors.ApiError]) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append(errors.invalid_value("/sensors/config", "config", value))
        return {}
    allowed = {"on": (bool, 0, 0), "reachable": (bool, 0, 0), "battery": (int, 0, 100)}
    config: dict[str, Any] = {}
    for name, item in value.items():
        address = f"/sensors/config/{name}"
        if name not in allowed:
            problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            config[name] = _check(item, address, name, *allowed[name])
        except errors.ApiError as exc:
            problems.append(exc)
    return config


# -- one sensor ----------------------------------------------------------------------------


async def get_sensor(api: ApiRequest) -> Response:
    service, sensor = _sensor(api)
    return json_response(service.render(sensor), request=api.request)


async def put_sensor(api: ApiRequest) -> Response:
    """``PUT /sensors/<id>``: rename."""
    service, sensor = _sensor(api)
    address = f"/sensors/{sensor.rid}"
    body = await api.json_object(address)
    problems: list[errors.ApiError] = []
    for key, value in body.items():
        if key != "name":
            problems.append(errors.parameter_not_available(f"{address}/{key}", key))
            continue
        try:
            params.as_str(value, f"{address}/name", "name", 1, NAME_MAX)
        except errors.ApiError as exc:
            problems.append(exc)
    if not problems and "name" not in body:
        problems.append(errors.missing_parameters(address))
    if problems:
        return _errors(problems, api)
    await service.rename(sensor.rid, body["name"])
    return json_response([success_item(f"{address}/name", body["name"])], etag=False)


async def delete_sensor(api: ApiRequest) -> Response:
    service, sensor = _sensor(api)
    await service.delete(sensor.rid)
    return json_response([{"success": {"id": sensor.rid}}], etag=False)


async def put_sensor_config(api: ApiRequest) -> Response:
    service, sensor = _sensor(api)
    base = f"/sensors/{sensor.rid}/config"
    body = await api.json_object(base)
    if not body:
        return _errors([errors.missing_parameters(base)], api)
    allowed = writable_config(sensor)
    values: dict[str, Any] = {}
    problems: list[errors.ApiError] = []
    for name, value in body.items():
        address = f"{base}/{name}"
        param = allowed.get(name)
        if param is None:
            if name in sensor.config:
                problems.append(errors.parameter_not_modifiable(address, name))
            else:
                problems.append(errors.parameter_not_available(address, name))
            continue
        try:
            values[name] = _check(value, address, name, param.kind, param.lo, param.hi)
        except errors.ApiError as exc:
            problems.append(exc)
    if problems:
        return _errors(problems, api)
    await service.set_config(sensor.rid, values)
    return json_response([success_item(f"{base}/{k}", v) for k, v in values.items()], etag=False)


async def put_sensor_state(api: ApiRequest) -> Response:
    """CLIP sensors only: a Zigbee sensor's state is what its device reports."""
    service, sensor = _sensor(api)
    base = f"/sensors/{sensor.rid}/state"
    body = await api.json_object(base)
    if not body:
        return _errors([errors.missing_parameters(base)], api)
    problems: list[errors.ApiError] = []
    if not sensor.is_clip:
        problems = [
            errors.parameter_not_modifiable(f"{base}/{name}", name, "The device reports it.")
            for name in body
        ]
        return _errors(problems, api)
    values = _parse_state_object(body, sensor.type, base, problems)
    if problems:
        return _errors(problems, api)
    await service.set_state(sensor.rid, values)
    return json_response([success_item(f"{base}/{k}", v) for k, v in values.items()], etag=False)
