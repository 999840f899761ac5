"""Idle, slow and too many connections against the gateway's uvicorn set-up (issue 12, item 7).

The server is configured exactly as ``Gateway._serve`` configures it
(``gateway.api.serving.server_config``), with short limits so the test is quick.

Before: a socket that never sent a byte stayed open for ever, a request head or body could
trickle in a byte at a time for ever, and 1,100 such sockets exhausted the descriptors, made
both APIs time out and flooded the log with EMFILE errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from gateway.api.serving import ServerLimits, server_config
from tests.helpers.harness import harness
from tests.helpers.servers import free_port, serving

LIMITS = ServerLimits(request_timeout=1.0, keep_alive=1, max_connections=64)
SLACK = 4.0  # a loaded machine


@contextlib.asynccontextmanager
async def served(url: str, limits: ServerLimits = LIMITS) -> AsyncIterator[tuple[str, int]]:
    async with harness(url) as h:
        port = free_port()
        config = server_config(
            h.app, limits, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        async with serving(config):
            yield f"http://127.0.0.1:{port}", port


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    try:
        async with asyncio.timeout(within):
            while True:
                data = await reader.read(4096)
                if not data:
                    return True
    except TimeoutError:
        return False
    except ConnectionError:
        return True


async def _trickle(writer: asyncio.StreamWriter, data: bytes, pause: float) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):
        for byte in data:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(pause)


async def test_idle_and_slow_connections_are_closed_and_others_still_served(sqlite_url):
    async with served(sqlite_url) as (base, port):
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(150)]
        slow_head = [await asyncio.open_connection("127.0.0.1", port) for _ in range(20)]
        slow_body = [await asyncio.open_connection("127.0.0.1", port) for _ in range(20)]
        head = b"GET /api/config HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
        body_head = (
            b"PUT /api/k/config HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n"
            b"Content-Type: application/json\r\n\r\n{"
        )
        trickles = [asyncio.create_task(_trickle(w, head, 0.2)) for _, w in slow_head]
        for _, writer in slow_body:
            writer.write(body_head)
        trickles += [asyncio.create_task(_trickle(w, b'"a"' * 130, 0.2)) for _, w in slow_body]
        # Meanwhile a normal client gets an answer at once: 200, or 503 while over the cap.
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            started = time.monotonic()
            r = await client.get("/api/config")
            assert r.status_code in (200, 503)
            assert time.monotonic() - started < 2.0
            closed = await asyncio.gather(
                *(
                    _closed_by_server(reader, LIMITS.request_timeout + SLACK)
                    for reader, _ in [*idle, *slow_head, *slow_body]
                )
            )
            assert sum(closed) == len(closed), f"{len(closed) - sum(closed)} still open"
            r = await client.get("/api/config")
            assert r.status_code == 200
        for task in trickles:
            task.cancel()
        for _, writer in [*idle, *slow_head, *slow_body]:
            writer.close()


async def test_a_slow_handler_is_not_cut_off_by_the_request_deadline(sqlite_url):
    """The deadline is for the client's bytes; a handler may take its time."""
    async with served(sqlite_url) as (base, _), httpx.AsyncClient(base_url=base) as client:
        r = await client.get("/api/config")
        assert r.status_code == 200
        await asyncio.sleep(LIMITS.keep_alive + 0.5)  # idle keep-alive: closed, reconnects
        assert (await client.get("/api/config")).status_code == 200


async def test_over_the_cap_new_requests_get_503_at_once(sqlite_url):
    limits = ServerLimits(request_timeout=5.0, keep_alive=5, max_connections=8)
    async with served(sqlite_url, limits) as (base, port):
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(12)]
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            started = time.monotonic()
            r = await client.get("/api/config")
            assert r.status_code == 503
            assert time.monotonic() - started < 2.0
        for _, writer in held:
            writer.close()


SCRIPT = """
import asyncio, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from gateway.api.serving import ServerLimits, server_config
from gateway.logsetup import configure_logging

async def hello(request):
    return PlainTextResponse("ok")

async def main():
    configure_logging("INFO")
    app = Starlette(routes=[Route("/", hello)])
    limits = ServerLimits(request_timeout=1.0, keep_alive=1, max_connections=40)
    config = server_config(app, limits, host="127.0.0.1", port=int(sys.argv[1]),
                           log_config=None, lifespan="off")
    await uvicorn.Server(config).serve()

asyncio.run(main())
"""


async def test_running_out_of_descriptors_is_survived_and_logged_a_few_times(tmp_path: Path):
    port = free_port()
    log_path = tmp_path / "stderr.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(port)],
            stderr=log_file,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"http://127.0.0.1:{port}/")).status_code == 200:
                        break
                assert time.monotonic() < deadline, log_path.read_text()
                await asyncio.sleep(0.1)
            # 200 idle sockets against a process allowed 64 descriptors.
            idle = []
            for _ in range(200):
                with contextlib.suppress(OSError):
                    idle.append(await asyncio.open_connection("127.0.0.1", port))
            await asyncio.sleep(4.0)  # several accept retries while the fds are exhausted
            # The idle ones have been closed by the deadline: the server answers again.
            started = time.monotonic()
            ok = False
            while time.monotonic() - started < 5 + SLACK and not ok:
                with contextlib.suppress(httpx.HTTPError):
                    ok = (await client.get(f"http://127.0.0.1:{port}/")).status_code == 200
                if not ok:
                    await asyncio.sleep(0.2)
            assert ok, "the server did not recover after the idle sockets"
            for _, writer in idle:
                writer.close()
    finally:
        proc.terminate()
        proc.wait(10)
    lines = log_path.read_text(errors="replace").splitlines()
    errors = [line for line in lines if "level=ERROR" in line]
    assert len(errors) <= 12, f"{len(errors)} ERROR lines, e.g. {errors[:2]}"
