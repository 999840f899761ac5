"""How each HTTP server of the gateway is run: uvicorn with limits an idle or slow client meets.

Why: uvicorn as configured by default lets a connection that never sends a byte stay open
for ever (its keep-alive timer only starts after a first response), lets a client send the
request head or body one byte a minute, and accepts connections until the process runs out
of file descriptors. 1,100 idle sockets made both APIs time out and the accept loop log
hundreds of thousands of EMFILE errors. Here:

* every request, head and body, must arrive within :attr:`ServerLimits.request_timeout` of
  its first byte (or of the connection, for the first request); otherwise the connection is
  closed. The handler's own time does not count (a touchlink scan may take a while);
* an idle keep-alive connection is closed after :attr:`ServerLimits.keep_alive`;
* a request head may not exceed :attr:`ServerLimits.max_head_bytes` (h11 answers 400);
* over :attr:`ServerLimits.max_connections` open connections, new requests get 503 at once
  (uvicorn's ``limit_concurrency``) instead of queueing behind the others;
* the unit raises ``LimitNOFILE`` and ``gateway.logsetup`` folds repeated log lines, so a
  descriptor shortage is one line a minute, not one per accept.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ServerLimits:
    """The limits of one server; the defaults suit a Pi on a home LAN."""

    request_timeout: float = 15.0
    keep_alive: int = 5
    max_head_bytes: int = 16 * 1024
    max_connections: int = 256


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for the client's side of each request."""

    request_timeout: float = ServerLimits.request_timeout

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the request is in; the handler may take its time
        elif self._deadline is None:
            self._arm()  # the first bytes of the next request on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._disarm()  # the websocket protocol takes the connection over
        super().handle_websocket_upgrade(event)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE):
            return
        if not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(request_timeout: float) -> type[GuardedH11Protocol]:
    """A protocol class with its deadline (uvicorn instantiates the class it is given)."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"request_timeout": request_timeout, "__doc__": GuardedH11Protocol.__doc__},
    )


def server_config(app: Any, limits: ServerLimits | None = None, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration every gateway server uses (and the tests use too)."""
    limits = limits or ServerLimits()
    return uvicorn.Config(
        app,
        http=guarded_protocol(limits.request_timeout),
        timeout_keep_alive=limits.keep_alive,
        h11_max_incomplete_event_size=limits.max_head_bytes,
        limit_concurrency=limits.max_connections,
        **options,
    )
