"""The websocket refuses other sites' browser pages and stays open to native clients.

Through a real uvicorn socket with the ``websockets`` client (issue 12, item 10). Before,
any ``Origin`` was accepted: a page on any site a LAN user opened could read every event.
"""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from gateway.api.deconz.origins import origin_allowed
from gateway.api.deconz.websocket import build_websocket_app
from gateway.domain.events import EventBus
from tests.helpers.servers import running_server


@pytest.fixture
async def ws_url():
    app = build_websocket_app(EventBus())
    async with running_server(app) as base:
        yield base.replace("http://", "ws://"), app.state.socket


async def test_a_native_client_without_origin_is_accepted(ws_url):
    url, sock = ws_url
    async with connect(url) as ws:
        await ws.ping()
    assert sock.refused == 0


async def test_the_gateways_own_page_is_accepted(ws_url):
    url, _ = ws_url
    # The page is served on the REST port of the same host; the websocket has its own port.
    async with connect(url, origin="http://127.0.0.1:80") as ws:
        await ws.ping()


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "https://192.0.2.66", "null", "http://127.0.0.1.evil.example"],
)
async def test_a_foreign_browser_origin_is_refused_with_403(ws_url, origin):
    url, sock = ws_url
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin=origin):
            pass
    assert refused.value.response.status_code == 403
    assert sock.refused == 1


async def test_a_rebinding_page_is_refused_even_with_a_matching_host(ws_url):
    url, _ = ws_url
    headers = {"Host": "evil.example:8088"}
    with pytest.raises(InvalidStatus):
        async with connect(url, origin="http://evil.example", additional_headers=headers):
            pass


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "192.168.1.10:8088", True),
        ("http://192.168.1.10", "192.168.1.10:8088", True),
        ("http://gateway.local:80", "gateway.local:8088", True),
        ("http://phoscon", "phoscon:443", True),
        ("http://[fe80::1]", "[fe80::1]:8088", True),
        ("http://192.168.1.11", "192.168.1.10:8088", False),
        ("http://gateway.example.com", "gateway.example.com:8088", False),
        ("file://", "192.168.1.10:8088", False),
        ("http://192.168.1.10", None, False),
        ("http://[::1", "[::1]:8088", False),
    ],
)
def test_origin_rule(origin, host, allowed):
    assert origin_allowed(origin, host) is allowed
