"""Routes as data, and the one dispatcher every deCONZ/Hue request goes through.

Why a dispatcher of our own on top of Starlette's router: the deCONZ API answers wrong
methods, unknown resources and unknown keys with its own error bodies (types 4, 3, 1), and
every ``/api/<apikey>/...`` route must check the key before anything else. Doing that in
one place means a new route cannot forget it. The same table feeds ``/openapi.json``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.api import errors
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.ids import MAX_PATH_PARAM
from gateway.api.deconz.json_body import InvalidBody, parse_json
from gateway.api.errors import ApiError
from gateway.domain.apikeys import ApiClient
from gateway.domain.radio import RadioBusy, RadioUnavailable, RadioUnsupported

log = logging.getLogger(__name__)

ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ROUTED_METHODS = [*ALL_METHODS, "TRACE", "CONNECT"]
"""Every method reaches the dispatcher, so each unsupported one gets error 4 and ``Allow``."""

JsonSchema = dict[str, Any]


@dataclass
class ApiRequest:
    """What a handler gets: the request, the services and the authenticated client."""

    request: Request
    services: DeconzServices
    client: ApiClient | None
    resource: str  # the path after /api/<apikey>, e.g. "/config"

    @property
    def hue_mode(self) -> bool:
        return self.client is not None and self.client.hue_mode

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    async def json_object(self, address: str = "/") -> dict[str, Any]:
        """The body as a JSON object; error 2 for anything else (see ``json_body``)."""
        raw = await self.request.body()
        try:
            body = parse_json(raw)
        except InvalidBody as exc:
            log.debug("refused body for %s: %s", self.resource[:64], exc)
            raise errors.invalid_json(address) from None
        if not isinstance(body, dict):
            raise errors.invalid_json(address)
        return body


Handler = Callable[[ApiRequest], Awaitable[Response]]


@dataclass(frozen=True)
class Operation:
    """One method on one route: the handler and what the OpenAPI description says of it."""

    handler: Handler
    summary: str
    request_schema: JsonSchema | None = None
    response_schema: JsonSchema | None = None
    error_statuses: tuple[int, ...] = ()
    auth: bool = True
    body_required: bool = True  # False where an absent body means something (POST /sensors)


@dataclass(frozen=True)
class ApiRoute:
    path: str
    methods: dict[str, Operation] = field(default_factory=dict)


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(separators=(",", ":"), ensure_ascii=False)``.

    orjson is several times faster; the standard library stays as the fallback for the
    rare value orjson refuses (a dict key that is not exactly ``str``, a huge integer).
    """
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(
    body: Any, status: int = 200, *, request: Request | None = None, etag: bool = True
) -> Response:
    """A JSON response with an ETag; a matching ``If-None-Match`` on GET gives 304."""
    content = encode_json(body)
    if etag and status == 200:
        tag = '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"'
        return encoded_response(content, tag, request=request)
    return Response(content, status_code=status, media_type="application/json")


def encoded_response(content: bytes, etag: str, *, request: Request | None = None) -> Response:
    """A 200 with JSON encoded earlier and its ETag (cached renderings: no work per request).

    A matching ``If-None-Match`` on GET/HEAD gives 304.
    """
    headers = {"ETag": etag}
    if request is not None and request.method in ("GET", "HEAD"):
        wanted = request.headers.get("if-none-match", "")
        if wanted and (etag in (t.strip() for t in wanted.split(",")) or wanted.strip() == "*"):
            return Response(status_code=304, headers=headers)
    return Response(content, headers=headers, media_type="application/json")


def error_response(errs: Sequence[ApiError], *, hue_mode: bool) -> Response:
    items = [e.item() for e in errs]
    return json_response(items, errors.error_status(list(errs), hue_mode), etag=False)


def success_item(address: str, value: Any) -> dict[str, Any]:
    return {"success": {address: value}}


def _resource_of(request: Request) -> str:
    """The path below ``/api/<apikey>``, as deCONZ puts it in error addresses."""
    parts = [p for p in request.url.path.split("/") if p]
    return "/" + "/".join(parts[2:])


def dispatcher(route: ApiRoute) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for one route: auth, method, handler, error mapping."""

    async def endpoint(request: Request) -> Response:
        services: DeconzServices = request.app.state.services
        resource = _resource_of(request) if "apikey" in request.path_params else request.url.path
        client: ApiClient | None = None
        operation = route.methods.get(request.method)
        if operation is None and request.method == "HEAD":
            operation = route.methods.get("GET")
        needs_auth = operation.auth if operation is not None else "apikey" in route.path
        if needs_auth:
            client = services.api_keys.authenticate(request.path_params.get("apikey", ""))
            if client is None:
                err = errors.unauthorized_user(resource[:MAX_PATH_PARAM])
                return error_response([err], hue_mode=False)
        hue_mode = client.hue_mode if client else False
        if any(len(str(v)) > MAX_PATH_PARAM for v in request.path_params.values()):
            # No id or key id is that long: refuse before a handler parses or echoes it.
            err = errors.resource_not_available(resource[:MAX_PATH_PARAM])
            return error_response([err], hue_mode=hue_mode)
        if operation is None:
            err = errors.method_not_available(request.method, resource)
            response = error_response([err], hue_mode=hue_mode)
            response.headers["Allow"] = ", ".join(sorted(route.methods))
            return response
        api_request = ApiRequest(request, services, client, resource)
        try:
            return await operation.handler(api_request)
        except ApiError as exc:
            return error_response([exc], hue_mode=api_request.hue_mode)
        except RadioBusy as exc:
            return error_response(
                [errors.bridge_busy(resource, exc.operation)], hue_mode=api_request.hue_mode
            )
        except (RadioUnavailable, RadioUnsupported) as exc:
            why = str(exc) or "Not connected"
            return error_response(
                [errors.not_connected(resource, why)], hue_mode=api_request.hue_mode
            )
        except asyncio.CancelledError:
            # Our own cancellation (server shutdown, client gone) must propagate. Any other
            # is a radio request whose future a closing serial port cancelled: the radio
            # went away mid-request (the bridge normally says so itself; this is the net).
            task = asyncio.current_task()
            if task is None or task.cancelling():
                raise
            log.warning("radio request cancelled in %s %s", request.method, route.path)
            return error_response(
                [errors.not_connected(resource, "Not connected")], hue_mode=api_request.hue_mode
            )
        except Exception:
            log.exception("unhandled error in %s %s", request.method, route.path)
            return error_response(
                [errors.internal_error(resource, "Internal error")], hue_mode=api_request.hue_mode
            )

    return endpoint


async def _unknown_resource(api: ApiRequest) -> Response:
    raise errors.resource_not_available(api.resource)


CATCH_ALL = ApiRoute(
    "/api/{apikey}/{rest:path}",
    {m: Operation(_unknown_resource, "unknown resource") for m in ALL_METHODS},
)


async def _empty_key(request: Request) -> Response:
    """``/api//lights``: an empty key is a wrong key (error 1), not an unknown path."""
    address = "/" + request.path_params.get("rest", "")
    return error_response([errors.unauthorized_user(address[:MAX_PATH_PARAM])], hue_mode=False)


def starlette_routes(table: Sequence[ApiRoute]) -> list[Route]:
    """Starlette routes for a table, with the catch-all for unknown resources last.

    Every method (TRACE and CONNECT too) reaches the dispatcher, so an unsupported one is
    answered with error 4 and the route's ``Allow`` header.
    """
    return [
        Route("/api//{rest:path}", _empty_key, methods=ROUTED_METHODS, include_in_schema=False),
        *(
            Route(r.path, dispatcher(r), methods=ROUTED_METHODS, include_in_schema=False)
            for r in [*table, CATCH_ALL]
        ),
    ]
