"""The Starlette application serving the deCONZ / Hue v1 API and ``/openapi.json``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.api import errors
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.routes import ROUTES
from gateway.api.deconz.routing import ApiRoute, error_response, json_response, starlette_routes
from gateway.api.openapi import build_openapi
from gateway.api.trailing_slash import StripTrailingSlash


async def _http_error(request: Request, exc: Exception) -> Response:
    """Paths outside the table still answer JSON in deCONZ form."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        err = errors.method_not_available(request.method, request.url.path)
    elif status == 404:
        err = errors.resource_not_available(request.url.path)
    else:
        err = errors.internal_error(request.url.path, "Internal error", status)
    return error_response([err], hue_mode=False)


def build_deconz_app(
    services: DeconzServices,
    *,
    routes: Sequence[ApiRoute] = ROUTES,
    extra_routes: Sequence[BaseRoute] = (),
    openapi_extra: Callable[[], dict[str, Any]] | None = None,
) -> Starlette:
    async def openapi(request: Request) -> Response:
        extra = openapi_extra() if openapi_extra else None
        return json_response(build_openapi(routes, extra), request=request)

    app = Starlette(
        routes=[
            Route("/openapi.json", openapi, methods=["GET"]),
            *extra_routes,
            *starlette_routes(routes),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _http_error},
        middleware=[Middleware(StripTrailingSlash)],
    )
    app.state.services = services
    return app
