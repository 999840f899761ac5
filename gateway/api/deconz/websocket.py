"""The deCONZ websocket: every change event as JSON text, on its own port.

Why a separate server: deCONZ serves events on ``websocketport`` (advertised in the
configuration), not on the REST port, and clients (pydeconz/Home Assistant, Phoscon)
connect there directly. Each client gets its own bounded buffer from the event bus; a
client that cannot keep up (its buffer overflows, or a single send stalls for
``send_timeout``) is disconnected with close code 1013 ("try again later") so it never
slows the others down. Clients reconnect and re-read the state, as deCONZ clients do.
Protocol pings are answered by the websocket layer itself; text from clients is ignored.

Cost per event and client is one buffer append and one send of text the bus encoded once
for everybody (``Published.text``); nothing polls: an overflow wakes the client's handler
through the subscription's close signal even while a send to it is stuck.
Browser pages of other sites are refused at the handshake (``origins.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.api.deconz.origins import origin_allowed
from gateway.domain.events import EventBus, Subscription, SubscriptionClosed

log = logging.getLogger(__name__)

TRY_AGAIN_LATER = 1013


class EventSocket:
    """One websocket endpoint fanning bus events out to its clients."""

    def __init__(
        self,
        events: EventBus,
        *,
        queue_size: int = 256,
        send_timeout: float = 5.0,
        watch_interval: float | None = None,  # accepted for old callers; nothing polls now
    ) -> None:
        self._events = events
        self._queue_size = queue_size
        self._send_timeout = send_timeout
        self.clients = 0
        self.refused = 0  # handshakes from foreign browser origins (``origins.py``)

    async def handle(self, websocket: WebSocket) -> None:
        if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host")):
            self.refused += 1
            log.info("websocket handshake refused: origin %r", websocket.headers["origin"][:100])
            # Closing before accepting answers the handshake with HTTP 403.
            await websocket.close(code=1008)
            return
        await websocket.accept()
        subscription = self._events.subscribe(self._queue_size)
        self.clients += 1
        peer = websocket.client
        log.info("websocket client %s connected", peer.host if peer else "?")
        tasks = {
            asyncio.create_task(self._forward(websocket, subscription)),
            asyncio.create_task(self._drain(websocket)),
            asyncio.create_task(subscription.closed_signal.wait()),
        }
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            slow = subscription.overflowed or subscription.closed
            subscription.close()
            self.clients -= 1
            if slow:
                log.warning("websocket client too slow; disconnected")
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(websocket.close(TRY_AGAIN_LATER), 1.0)

    async def _forward(self, websocket: WebSocket, subscription: Subscription) -> None:
        while True:
            try:
                item = await subscription.next()
            except SubscriptionClosed:
                return
            if item.event.get("t") != "event":
                continue  # only deCONZ-shaped events go out on this socket
            try:
                async with asyncio.timeout(self._send_timeout):
                    await websocket.send_text(item.text)
            except TimeoutError:
                subscription.close()
                return
            except (WebSocketDisconnect, RuntimeError, OSError):
                return

    async def _drain(self, websocket: WebSocket) -> None:
        """Read (and ignore) what the client sends, to notice when it goes away."""
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return


def build_websocket_app(events: EventBus, **options: Any) -> Starlette:
    """The ASGI app for the websocket port; any path is accepted, as deCONZ does."""
    socket = EventSocket(events, **options)
    app = Starlette(
        routes=[
            WebSocketRoute("/", socket.handle),
            WebSocketRoute("/{path:path}", socket.handle),
        ]
    )
    app.state.socket = socket
    return app
