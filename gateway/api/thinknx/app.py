"""The Starlette app of the Thinknx API and the one dispatcher every request goes through.

Order of the checks, and why:

1. method: GET or POST (HEAD is refused: here a GET switches lights);
2. rate limit per client address (before anything costly, and before authentication so it
   also slows password guessing); a refused request never reaches the bus;
3. parameters (query string, plus the form body for POST) - read before authentication
   because ``user``/``pass`` may be among them;
4. authentication (401 challenge / 403);
5. the handler, whose domain errors become the spec's answers: params errors 400, device
   not found 404, impossible to execute 503.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.api.thinknx import errors
from gateway.api.thinknx.auth import Credentials
from gateway.api.thinknx.context import ThinknxCall, ThinknxServices
from gateway.api.thinknx.errors import ThinknxHttpError
from gateway.api.thinknx.handlers import Body
from gateway.api.thinknx.params import MAX_BODY_BYTES, Params, ParamsParseError, parse_pairs
from gateway.api.thinknx.routes import ROUTES, VERSION_PREFIXES, ThinknxRoute
from gateway.api.trailing_slash import StripTrailingSlash
from gateway.domain.knx_controllers import DeviceNotFound, NotExecutable, ParamsError

log = logging.getLogger(__name__)

ALLOWED_METHODS = "GET, POST"
_FORM = "application/x-www-form-urlencoded"


def json_response(body: Body, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def error_response(error: ThinknxHttpError) -> Response:
    response = json_response(error.body(), error.status)
    for name, value in error.headers.items():
        response.headers[name] = value
    for challenge in error.challenges:
        response.headers.append("WWW-Authenticate", challenge)
    return response


async def read_params(request: Request) -> Params:
    """Query pairs, plus body pairs for a POST with a form (or untyped) body."""
    pairs = parse_pairs(request.scope.get("query_string", b""))
    if request.method != "POST":
        return Params.from_pairs(pairs)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ParamsParseError("body too large")
    if not body.strip():
        return Params.from_pairs(pairs)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in ("", _FORM):
        raise ParamsParseError(f"body must be {_FORM}, got {media}")
    return Params.from_pairs(pairs, parse_pairs(bytes(body)))


def request_target(request: Request) -> str:
    """Path and query exactly as the client sent them (what a Digest ``uri`` must equal)."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    target = bytes(raw_path) + (b"?" + bytes(query) if query else b"")
    return target.decode("latin-1")


def dispatcher(route: ThinknxRoute) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint for one route: the checks of the module docstring, then the handler."""

    async def endpoint(request: Request) -> Response:
        services: ThinknxServices = request.app.state.thinknx
        client = request.client.host if request.client else "-"
        started = time.monotonic()
        try:
            response = await _handle(route, request, services, client)
        except ThinknxHttpError as exc:
            response = error_response(exc)
        except (ParamsParseError, ParamsError) as exc:
            log.debug("event=thinknx_params_error path=%s error=%s", route.path, exc)
            response = error_response(errors.params_errors())
        except DeviceNotFound as exc:
            log.debug("event=thinknx_not_found path=%s error=%s", route.path, exc)
            response = error_response(errors.device_not_found())
        except NotExecutable as exc:
            # DEBUG: during a KNX outage every polling client would add a line per request;
            # the link logs its own state changes once.
            log.debug("event=thinknx_not_executable path=%s error=%s", route.path, exc)
            response = error_response(errors.impossible_to_execute())
        except Exception:
            log.exception("event=thinknx_internal_error path=%s", route.path)
            response = error_response(errors.internal_error())
        log.debug(
            "event=thinknx_request path=%s client=%s status=%s ms=%.1f",
            route.path,
            client,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    return endpoint


async def _handle(
    route: ThinknxRoute, request: Request, services: ThinknxServices, client: str
) -> Response:
    if request.method not in ("GET", "POST"):
        raise errors.method_not_allowed(ALLOWED_METHODS)
    wait = services.limiter.acquire(client)
    if wait > 0:
        log.info("event=thinknx_rate_limited client=%s path=%s", client, route.path)
        raise errors.rate_limited(wait)
    params = await read_params(request)
    user = await services.authenticator.authenticate(
        Credentials(
            method=request.method,
            target=request_target(request),
            authorization=request.headers.get("authorization"),
            params=params,
            client=client,
        )
    )
    services.clients.seen(client)
    body = await route.handler(ThinknxCall(params, services, route.path, user))
    return json_response(body)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods still answer JSON."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        return error_response(errors.method_not_allowed(ALLOWED_METHODS))
    if status == 404:
        return error_response(errors.not_found())
    log.error("event=thinknx_http_error status=%s error=%r", status, exc)
    return error_response(errors.internal_error())


def starlette_routes(table: Sequence[ThinknxRoute] = ROUTES) -> list[Route]:
    """Both version prefixes for every route of the table."""
    return [
        Route(f"/api/{prefix}/{route.path}", dispatcher(route), methods=["GET", "POST"])
        for route in table
        for prefix in VERSION_PREFIXES
    ]


def build_thinknx_app(
    services: ThinknxServices, *, routes: Sequence[ThinknxRoute] = ROUTES
) -> Starlette:
    """The app served on ``thinknx.port``."""
    app = Starlette(
        routes=starlette_routes(routes),
        exception_handlers={HTTPException: _http_error, Exception: _http_error},
        middleware=[Middleware(StripTrailingSlash)],
    )
    app.state.thinknx = services
    return app
