"""OpenAPI paths of the Thinknx API, generated from the routes table.

They are merged into ``/openapi.json`` on the main HTTP port; each path carries a path-level
``servers`` entry for the Thinknx port, since the API is served there. Only the ``/api/V1/``
spelling is listed; ``/api/v1/`` is the same API (said in each description).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.api.thinknx.routes import ROUTES, ParamDoc, ThinknxRoute

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


def _schema(param: ParamDoc) -> dict[str, Any]:
    if param.kind == "number":
        return {"type": "string", "pattern": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"}
    return {"type": "string"}


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
             "description": p.description, "schema": _schema(p),
             **({"allowEmptyValue": True} if p.kind == "flag" else {})}
            for p in params
        ]  # fmt: skip
    else:
        operation["requestBody"] = {
            "required": False,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            p.name: {**_schema(p), "description": p.description} for p in params
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
