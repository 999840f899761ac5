"""The deCONZ websocket server on a real uvicorn socket: fan-out, pings, slow clients."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket

import pytest
from websockets.asyncio.client import connect

from gateway.api.deconz.websocket import build_websocket_app
from gateway.domain.events import EventBus
from tests.helpers.servers import running_server


def light_event(n: int, padding: int = 0) -> dict:
    return {
        "t": "event",
        "e": "changed",
        "r": "lights",
        "id": str(n),
        "uniqueid": "00:17:88:01:0E:00:00:01-0B",
        "state": {"on": True, "bri": n % 255, "pad": "x" * padding},
    }


async def until(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met"
        await asyncio.sleep(0.01)


@pytest.fixture
async def socket_server():
    bus = EventBus()
    app = build_websocket_app(bus, queue_size=64, send_timeout=0.5, watch_interval=0.02)
    async with running_server(app) as base:
        yield bus, app.state.socket, base.replace("http://", "ws://")


async def test_a_deconz_event_reaches_every_connected_client(socket_server):
    bus, sock, url = socket_server
    async with connect(url) as first, connect(url + "/") as second:
        await until(lambda: sock.clients == 2)
        bus.publish(light_event(1))
        for client in (first, second):
            assert json.loads(await asyncio.wait_for(client.recv(), 2)) == light_event(1)


async def test_events_that_are_not_deconz_events_are_not_sent(socket_server):
    bus, sock, url = socket_server
    async with connect(url) as client:
        await until(lambda: sock.clients == 1)
        bus.publish({"knx": "telegram"})
        bus.publish(light_event(2))
        assert json.loads(await asyncio.wait_for(client.recv(), 2))["id"] == "2"


async def test_any_path_is_accepted_as_deconz_does(socket_server):
    bus, sock, url = socket_server
    async with connect(url + "/events/anything") as client:
        await until(lambda: sock.clients == 1)
        bus.publish(light_event(3))
        assert json.loads(await asyncio.wait_for(client.recv(), 2))["id"] == "3"


async def test_a_ping_is_answered_with_a_pong(socket_server):
    _, _, url = socket_server
    async with connect(url) as client:
        pong = await client.ping(b"are you there")
        latency = await asyncio.wait_for(pong, 2)
        assert latency >= 0


async def test_a_client_that_leaves_releases_its_subscription(socket_server):
    bus, sock, url = socket_server
    async with connect(url):
        await until(lambda: bus.subscriber_count == 1)
    await until(lambda: bus.subscriber_count == 0 and sock.clients == 0)


async def open_stalled_client(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket client that completes the handshake and then never reads again."""
    host, port = url.removeprefix("ws://").split(":")
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, (host, int(port)))
    reader, writer = await asyncio.open_connection(sock=raw, limit=4096)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readline()
    assert b"101" in status
    writer.transport.pause_reading()
    return reader, writer


EVENTS = 400  # 13 MB: more than the kernel buffers a stalled reader can soak up


async def test_a_slow_client_is_dropped_and_the_others_get_every_event(socket_server):
    bus, sock, url = socket_server
    _, stalled = await open_stalled_client(url)
    async with connect(url, max_size=None) as fast:
        await until(lambda: sock.clients == 2)
        received: list[str] = []

        async def read_all() -> None:
            while len(received) < EVENTS:
                received.append(json.loads(await fast.recv())["id"])

        reader = asyncio.create_task(read_all())
        for n in range(EVENTS):
            bus.publish(light_event(n, padding=32 * 1024))
            await asyncio.sleep(0.003)  # the publisher never waits on anyone
        await asyncio.wait_for(reader, 10)
        assert received == [str(n) for n in range(EVENTS)]
        await until(lambda: sock.clients == 1, timeout=5)
        assert bus.subscriber_count == 1
    stalled.close()
