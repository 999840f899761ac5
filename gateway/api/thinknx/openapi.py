"""OpenAPI paths of the Thinknx API, generated from the routes table.

They are merged into ``/openapi.json`` on the main HTTP port; each path carries a path-level
``servers`` entry for the Thinknx port, since the API is served there. Only the ``/api/V1/``
spelling is listed; ``/api/v1/`` is the same API (said in each description).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.api.thinknx.params import MAX_NUMBER_LENGTH, MAX_VALUE_LENGTH
from gateway.api.thinknx.routes import ROUTES, ParamDoc, ThinknxRoute
from gateway.domain.knx_controllers import CONTROLLERS

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
_AUTH_PARAMS = (
    ParamDoc("auth", False, "basic or digest: the scheme offered when credentials are missing"),
    ParamDoc("user", False, "user name (query credentials, plain HTTP only)"),
    ParamDoc("pass", False, "password (query credentials, plain HTTP only)"),
)
_ERRORS = {
    "400": "params errors",
    "401": "authentication required (WWW-Authenticate: Digest / Basic)",
    "403": "authentication failed",
    "404": "device not found",
    "429": "rate limit exceeded (Retry-After)",
    "503": "impossible to execute (KNX link down, no confirmation, no feedback)",
}


_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_BYTE = r"([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
_GROUP = (
    rf"^(([1-9]|[12][0-9]|3[01])/[0-7]/{_BYTE}|0/[1-7]/{_BYTE}"
    r"|0/0/([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))$"
)
_PERCENT = r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"
_SEND_VALUES: dict[str, dict[str, Any]] = {
    "sendKNXbit": {"enum": ["0", "1"]},
    "sendKNX4bits": {"enum": [str(n) for n in range(16)]},
    "sendKNXbyte": {"enum": [str(n) for n in range(256)]},
    "sendKNXbyteun": {"enum": [str(n) for n in range(-128, 128)]},
    "sendKNXfloat2bytes": {"pattern": r"^-?[0-9]{1,5}(\.[0-9]{1,2})?$"},
    "sendKNXfloat4bytes": {"pattern": r"^-?[0-9]{1,6}(\.[0-9]{1,3})?$"},
}


def _schema(param: ParamDoc, route: ThinknxRoute) -> dict[str, Any]:
    """As strict as the server: a value the schema allows is never "params errors".

    Ids and names are non-empty and at most ``MAX_VALUE_LENGTH`` long; numbers are the
    decimals the server reads, within the controller's range where it has one.
    """
    text: dict[str, Any] = {"type": "string", "maxLength": MAX_VALUE_LENGTH}
    if param.kind == "flag":
        return text
    if param.name == "group":
        return {**text, "pattern": _GROUP}
    if param.name == "value" and route.path.startswith("system/"):
        return {**text, **_SEND_VALUES[route.path.removeprefix("system/")]}
    if param.kind == "number":
        spec = CONTROLLERS.get(route.controller or "")
        if spec is not None and spec.minimum is not None and spec.maximum is not None:
            if spec.integer:
                low, high = int(spec.minimum), int(spec.maximum)
                return {**text, "enum": [str(n) for n in range(low, high + 1)]}
            if (spec.minimum, spec.maximum) == (0, 100):
                return {**text, "pattern": _PERCENT}
        return {**text, "maxLength": MAX_NUMBER_LENGTH, "pattern": _NUMBER}
    if param.name == "auth":
        return {**text, "enum": ["basic", "digest"]}
    if param.name in ("user", "pass"):
        return {"type": "string"}
    return {**text, "minLength": 1}


def _operation(route: ThinknxRoute, method: str) -> dict[str, Any]:
    params = [*route.params, *_AUTH_PARAMS]
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
    for status, text in _ERRORS.items():
        responses[status] = {
            "description": text,
            "content": {"application/json": {"schema": _ERROR}},
        }
    operation: dict[str, Any] = {
        "summary": route.summary,
        "description": f"Also served as /api/v1/{route.path}.",
        "operationId": f"thinknx_{method}_{route.path.replace('/', '_')}",
        "tags": ["thinknx"],
        "responses": responses,
    }
    if method == "get":
        operation["parameters"] = [
            {"name": p.name, "in": "query", "required": p.required,
             "description": p.description, "schema": _schema(p, route),
             **({"allowEmptyValue": True} if p.kind == "flag" else {})}
            for p in params
        ]  # fmt: skip
    else:
        operation["requestBody"] = {
            # Without a body a POST lacks its required fields: "params errors".
            "required": any(p.required for p in params),
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            p.name: {**_schema(p, route), "description": p.description}
                            for p in params
                        },
                        "required": [p.name for p in params if p.required],
                    }
                }
            },
        }
    return operation


def thinknx_paths(port: int, routes: Sequence[ThinknxRoute] = ROUTES) -> dict[str, Any]:
    """``paths`` entries for every Thinknx route, each with a ``servers`` entry for ``port``."""
    servers = [
        {
            "url": f"http://{{host}}:{port}",
            "description": "Thinknx Integration Kit",
            "variables": {"host": {"default": "localhost"}},
        }
    ]
    return {
        f"/api/V1/{route.path}": {
            "servers": servers,
            "get": _operation(route, "get"),
            "post": _operation(route, "post"),
        }
        for route in routes
    }
