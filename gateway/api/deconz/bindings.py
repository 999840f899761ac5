"""``/api/<key>/bindings``: our extension of the deCONZ API for KNX <-> Zigbee bindings.

deCONZ has no KNX; a binding is a gateway resource like a rule. The shapes follow the
deCONZ conventions: a collection keyed by id, ``POST`` answers ``[{"success": {"id"}}]``,
``PUT`` one success item per changed key, ``DELETE`` ``[{"success": "/bindings/<id>
deleted"}]``; errors are deCONZ lists (7 names the bad field and why, 6 an unknown key or
function, 5 a missing target, 3 an unknown binding, 8 a binding of the catalogue file, which
is changed in the file). Without a KNX link (``knx.mode = none``) the resource does not
exist (error 3). ``docs/bindings.md`` describes the body.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz.routing import ApiRequest, ApiRoute, Operation, json_response, success_item
from gateway.api.deconz.schemas import OBJECT, SUCCESS_LIST
from gateway.domain.bindings.records import SLOTS, BindingInvalid
from gateway.domain.bindings.service import BindingNotFound, BindingReadOnly, BindingsService

GA: dict[str, Any] = {"type": "string", "pattern": r"^\d{1,2}/\d{1,2}/\d{1,3}$"}
BINDING_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 64},
        "target": {
            "type": "object",
            "required": ["type", "id"],
            "properties": {
                "type": {"enum": ["light", "group", "sensor"]},
                "id": {"type": "string", "pattern": "^[0-9]+$"},
            },
        },
        "knx": {
            "type": "object",
            "properties": {
                slot: (
                    GA
                    if spec.direction == "out"
                    else {"anyOf": [GA, {"type": "array", "items": GA}]}
                )
                for slot, spec in SLOTS.items()
            },
            "additionalProperties": False,
        },
        "scene_dpt": {"enum": ["17.001", "18.001"]},
        "scenes": {"type": "object", "additionalProperties": {"type": "string"}},
        "buttons": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "event": {"type": "integer"},
                    "address": GA,
                    "value": {"enum": [0, 1]},
                },
            },
        },
    },
}
CREATE_BODY = {**BINDING_BODY, "required": ["target"]}


def _service(api: ApiRequest) -> BindingsService:
    service = api.services.bindings
    if service is None:
        raise errors.resource_not_available(api.resource)
    return service


def _invalid(exc: BindingInvalid) -> errors.ApiError:
    if exc.reason.startswith("unknown"):  # an unknown key or function: deCONZ's error 6
        return errors.parameter_not_available(f"/bindings/{exc.field.replace('.', '/')}", exc.field)
    return errors.ApiError(
        errors.INVALID_VALUE,
        f"/bindings/{exc.field.replace('.', '/')}",
        f"invalid value for parameter, {exc.field}: {exc.reason}",
        400,
    )


def _binding_id(api: ApiRequest, service: BindingsService) -> str:
    binding_id = api.param("id")
    try:
        service.get(binding_id)
    except BindingNotFound:
        raise errors.resource_not_available(f"/bindings/{binding_id}") from None
    return binding_id


def _read_only(binding_id: str) -> errors.ApiError:
    return errors.parameter_not_modifiable(
        f"/bindings/{binding_id}", f"bindings/{binding_id}", "It comes from the catalogue file"
    )


async def get_bindings(api: ApiRequest) -> Response:
    return json_response(_service(api).render_all(), request=api.request)


async def get_binding(api: ApiRequest) -> Response:
    service = _service(api)
    binding_id = _binding_id(api, service)
    return json_response(service.render(service.get(binding_id)), request=api.request)


async def create_binding(api: ApiRequest) -> Response:
    service = _service(api)
    body = await api.json_object("/bindings")
    if "target" not in body:
        raise errors.missing_parameters("/bindings")
    try:
        binding = await service.create(body)
    except BindingInvalid as exc:
        raise _invalid(exc) from None
    return json_response([success_item("id", binding.id)], etag=False)


async def put_binding(api: ApiRequest) -> Response:
    service = _service(api)
    binding_id = _binding_id(api, service)
    body = await api.json_object(f"/bindings/{binding_id}")
    if not body:
        raise errors.missing_parameters(f"/bindings/{binding_id}")
    try:
        binding = await service.update(binding_id, body)
    except BindingInvalid as exc:
        raise _invalid(exc) from None
    except BindingReadOnly:
        raise _read_only(binding_id) from None
    shown = binding.to_json()
    items = [success_item(f"/bindings/{binding_id}/{key}", shown.get(key)) for key in body]
    return json_response(items, etag=False)


async def delete_binding(api: ApiRequest) -> Response:
    service = _service(api)
    binding_id = _binding_id(api, service)
    try:
        await service.delete(binding_id)
    except BindingReadOnly:
        raise _read_only(binding_id) from None
    return json_response([{"success": f"/bindings/{binding_id} deleted"}], etag=False)


BINDING_ROUTES = [
    ApiRoute(
        "/api/{apikey}/bindings",
        {
            "GET": Operation(
                get_bindings,
                "KNX <-> Zigbee bindings with their reachability (extension)",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "POST": Operation(
                create_binding,
                "Create a binding of KNX group addresses to a light, group or sensor (extension)",
                request_schema=CREATE_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            ),
        },
    ),
    ApiRoute(
        "/api/{apikey}/bindings/{id}",
        {
            "GET": Operation(
                get_binding,
                "One binding (extension)",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            ),
            "PUT": Operation(
                put_binding,
                "Change a binding; catalogue bindings are changed in the file (extension)",
                request_schema=BINDING_BODY,
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            ),
            "DELETE": Operation(
                delete_binding,
                "Delete a binding (extension)",
                response_schema=SUCCESS_LIST,
                error_statuses=(400, 403, 404),
            ),
        },
    ),
]
