"""Keep-alive answers leave at once on every port the gateway serves (no Nagle stall).

Why through ``Gateway.start()``: the stall came from how the production start path makes
its listening sockets (``socket.create_server`` leaves ``proto=0``, so asyncio never set
TCP_NODELAY on accepted connections); helpers that let uvicorn bind never saw it.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest

from gateway.app import Gateway
from tests.helpers.gateway_settings import gateway_settings as settings_for
from tests.helpers.servers import free_port

# Nagle plus the client's delayed ACK holds every keep-alive body for ~40 ms, except on the
# first request of a connection (the client still ACKs at once then). A loaded machine can
# slow single requests, but not every one of the later ones by that much.
STALL_MS = 30.0
ROUND_TRIPS = 10


def keepalive_round_trips(port: int, path: str, count: int) -> list[float]:
    """Milliseconds for ``count`` GETs on one keep-alive connection (blocking client)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    times: list[float] = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for _ in range(count):
            started = time.perf_counter()
            conn.sendall(request)
            read_response(conn)
            times.append((time.perf_counter() - started) * 1000)
    return times


def read_response(conn: socket.socket) -> bytes:
    """One HTTP/1.1 response with a Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, "connection closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        assert chunk, "connection closed"
        body += chunk
    assert head.startswith(b"HTTP/1.1 "), head
    return body


@pytest.fixture
async def gateway(tmp_path: Path):
    settings = settings_for(
        tmp_path,
        GATEWAY_THINKNX_ENABLED="true",
        GATEWAY_THINKNX_HOST="127.0.0.1",
        GATEWAY_THINKNX_PORT=str(free_port()),
    )
    gw = Gateway(settings)
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


async def test_every_listening_socket_of_the_gateway_has_tcp_nodelay(gateway):
    served = [server for _, server, _ in gateway._servers]
    assert len(served) == 2  # deCONZ and Thinknx (no radio, so no websocket port)
    for server in served:
        for listener in server.servers:
            for sock in listener.sockets:
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def test_a_keepalive_answer_of_the_deconz_api_is_not_held_by_nagle(gateway):
    port = gateway.settings.http.port
    times = await _in_thread(keepalive_round_trips, port, "/api/config", ROUND_TRIPS)
    assert min(times[1:]) < STALL_MS, f"every keep-alive round trip stalled: {times}"


async def test_a_keepalive_answer_of_the_thinknx_api_is_not_held_by_nagle(gateway):
    port = gateway.settings.thinknx.port
    times = await _in_thread(keepalive_round_trips, port, "/api/v1/serverStatus", ROUND_TRIPS)
    assert min(times[1:]) < STALL_MS, f"every keep-alive round trip stalled: {times}"


async def _in_thread(func, *args):
    return await asyncio.to_thread(func, *args)
