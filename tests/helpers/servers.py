"""Run an ASGI app under a real uvicorn server on a free loopback port, in the test's loop."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def running_server(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Yield the base URL of ``app`` served by uvicorn; shut it down afterwards."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    async with serving(config):
        yield f"http://127.0.0.1:{port}"


@asynccontextmanager
async def serving(config: uvicorn.Config) -> AsyncIterator[uvicorn.Server]:
    """Serve ``config`` (any uvicorn configuration, e.g. the gateway's own limits) on this
    event loop until the block ends; a server that fails to start raises here."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


class ServerThread:
    """An app on uvicorn in a thread with its own event loop, for blocking clients.

    Schemathesis calls the server synchronously, so the app cannot share the test's loop.
    ``make_app`` is an async context manager factory: it builds everything the app needs
    inside the thread's loop, yields the ASGI app, and tears it down on exit.
    """

    def __init__(self, make_app: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self.base = ""
        self._make_app = make_app
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by __enter__
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self._make_app() as app, running_server(app) as base:
            self.base = base
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(60), "server did not start"
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
