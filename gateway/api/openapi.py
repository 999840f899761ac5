"""``/openapi.json``, generated from the routes tables so it cannot drift from the code.

Both APIs are described in one document: the deCONZ/Hue paths on the main HTTP port and
the Thinknx paths, which carry a path-level ``servers`` entry for their own port.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gateway import __version__
from gateway.api.deconz.routing import ApiRoute
from gateway.api.deconz.schemas import ERROR_LIST

_PARAM_RE = re.compile(r"{([a-zA-Z0-9_]+)(?::[a-z]+)?}")


def _operation(route: ApiRoute, method: str) -> dict[str, Any]:
    op = route.methods[method]
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM_RE.findall(route.path)
    ]
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": op.response_schema or {}}},
        }
    }
    for status in op.error_statuses:
        if status == 304:
            responses["304"] = {"description": "Not Modified"}
        else:
            responses[str(status)] = {
                "description": "deCONZ error list",
                "content": {"application/json": {"schema": ERROR_LIST}},
            }
    body: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{method.lower()}_{route.path.strip('/').replace('/', '_')}".replace(
            "{", ""
        ).replace("}", ""),
        "parameters": params,
        "responses": responses,
    }
    if op.request_schema is not None:
        body["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": op.request_schema}},
        }
    return body


def deconz_paths(routes: Iterable[ApiRoute]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in routes:
        path = _PARAM_RE.sub(r"{\1}", route.path)
        paths[path] = {m.lower(): _operation(route, m) for m in route.methods}
    return paths


def build_openapi(
    deconz_routes: Iterable[ApiRoute], extra_paths: dict[str, Any] | None = None
) -> dict[str, Any]:
    paths = deconz_paths(deconz_routes)
    paths.update(extra_paths or {})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "gateway REST API (deCONZ / Hue v1 and Thinknx Integration Kit)",
            "version": __version__,
        },
        "paths": paths,
    }
