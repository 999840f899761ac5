"""Our read-only KNX extension of the deCONZ API, for the page (``docs/page.md``).

deCONZ has no KNX endpoints. The page needs three things, so there are three routes:

* ``GET /api/<key>/knx`` — ``{"state": {...link...}, "devices": {guid: {...}}}``;
* ``GET /api/<key>/knx/telegrams`` — the last telegrams, oldest first;
* ``/api/<key>/knx/monitor`` (websocket, on the REST port) — every telegram from now on,
  one JSON object per message: ``{"e": "knx", "telegram": {...}}``.

Why a websocket of its own rather than events on ``websocketport``: deCONZ clients
(pydeconz, Phoscon) read every event on that socket; a busy KNX bus would flood them with
events they do not know. Only the page opens this one, with its key.

Without a KNX link (``knx.mode = none``) the service is absent and every route answers
error 3, which is how the page knows to hide the KNX view.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.responses import Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.api import errors
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.routing import ApiRequest, ApiRoute, Operation, json_response
from gateway.api.deconz.schemas import OBJECT
from gateway.domain.knx_monitor import KnxStatusSource, TelegramStream

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008  # websocket close code for a refused key
SEND_TIMEOUT = 5.0


def _feed(services: DeconzServices, resource: str) -> KnxStatusSource:
    feed = services.knx_feed
    if feed is None:
        raise errors.resource_not_available(resource)
    return feed


async def get_knx(api: ApiRequest) -> Response:
    feed = _feed(api.services, api.resource)
    return json_response({"state": feed.state(), "devices": feed.devices()}, request=api.request)


async def get_telegrams(api: ApiRequest) -> Response:
    feed = _feed(api.services, api.resource)
    return json_response(feed.history(), request=api.request)


KNX_ROUTES = [
    ApiRoute(
        "/api/{apikey}/knx",
        {
            "GET": Operation(
                get_knx,
                "KNX link state and the Thinknx device catalogue with last values (extension)",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/knx/telegrams",
        {
            "GET": Operation(
                get_telegrams,
                "The last group telegrams seen on the bus, decoded (extension)",
                response_schema={"type": "array", "items": OBJECT},
                error_statuses=(304, 403, 404),
            )
        },
    ),
]


async def knx_monitor(websocket: WebSocket) -> None:
    """Stream telegrams to one page; a wrong key or no KNX closes with 1008 and the reason."""
    services: DeconzServices = websocket.app.state.services
    key = str(websocket.path_params.get("apikey", ""))
    await websocket.accept()
    if services.api_keys.authenticate(key) is None:
        await websocket.close(POLICY_VIOLATION, "unauthorized user")
        return
    feed = services.knx_feed
    if feed is None:
        await websocket.close(POLICY_VIOLATION, "no KNX link")
        return
    with feed.watch() as stream:
        sender = asyncio.create_task(_forward(websocket, stream))
        reader = asyncio.create_task(_drain(websocket))
        try:
            await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, reader):
                task.cancel()
            await asyncio.gather(sender, reader, return_exceptions=True)


async def _forward(websocket: WebSocket, stream: TelegramStream) -> None:
    while True:
        telegram = await stream.get()
        text = json.dumps({"e": "knx", "telegram": telegram}, separators=(",", ":"))
        try:
            await asyncio.wait_for(websocket.send_text(text), SEND_TIMEOUT)
        except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            return


async def _drain(websocket: WebSocket) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


def knx_websocket_routes() -> list[BaseRoute]:
    """The monitor websocket, for ``build_deconz_app(extra_routes=...)``."""
    return [WebSocketRoute("/api/{apikey}/knx/monitor", knx_monitor)]
