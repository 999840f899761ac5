"""Bad input through a real uvicorn socket: a clear 400/403/404/405, nothing stored (issue 12).

Before: a lone surrogate or NUL in a JSON string reached the database (500 error 901, or a
stored NUL), a 4,301-digit id hit Python's int-string limit (500), ``/api//lights`` gave a
404/307 and TRACE a 405 without ``Allow``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.helpers.servers import running_server
from tests.zigbee.fakes import LightsRig, discovered, lights_rig

LONG_ID = "1" * 4301
BAD_STRINGS = [b'"\\ud800"', b'"\\udfff x"', b'"a\\u0000b"', b'"x\\ud83d"']
BAD_DOCUMENTS = [
    b'{"name": NaN}',
    b'{"name": Infinity}',
    b'{"bri": ' + b"1" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b'{"name": "\xff\xfe"}',
]


@asynccontextmanager
async def served(url: str) -> AsyncIterator[tuple[LightsRig, httpx.AsyncClient]]:
    async with lights_rig(url) as rig, running_server(rig.h.app) as base:
        await rig.service.discovered(discovered(1), may_add=True)
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            yield rig, client


def assert_error(response: httpx.Response, status: int, kind: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body, body
    assert body[0]["error"]["type"] == kind, body


@pytest.mark.parametrize("text", BAD_STRINGS)
async def test_bad_text_in_a_light_name_is_error_2_and_not_stored(sqlite_url, text):
    async with served(sqlite_url) as (rig, client):
        before = (await client.get(rig.url("/1"))).json()["name"]
        r = await client.put(rig.url("/1"), content=b'{"name": ' + text + b"}")
        assert_error(r, 400, 2)
        assert (await client.get(rig.url("/1"))).json()["name"] == before
        assert rig.service.get(1).name == before


@pytest.mark.parametrize("text", BAD_STRINGS)
async def test_bad_text_as_a_state_key_or_value_is_error_2(sqlite_url, text):
    async with served(sqlite_url) as (rig, client):
        for body in (b'{"alert": ' + text + b"}", b"{" + text + b": true}"):
            r = await client.put(rig.url("/1/state"), content=body)
            assert_error(r, 400, 2)
        assert rig.transport.sent == []


@pytest.mark.parametrize("text", BAD_STRINGS)
async def test_bad_text_in_the_config_name_is_error_2_and_not_stored(sqlite_url, text):
    async with served(sqlite_url) as (rig, client):
        r = await client.put(f"/api/{rig.key}/config", content=b'{"name": ' + text + b"}")
        assert_error(r, 400, 2)
        assert (await client.get(f"/api/{rig.key}/config")).json()["name"] == "gateway"
        stored = await rig.h.store.config.load()
        assert stored is not None and stored.name == "gateway"


@pytest.mark.parametrize("text", BAD_STRINGS)
async def test_bad_text_in_a_devicetype_creates_no_key(sqlite_url, text):
    async with served(sqlite_url) as (rig, client):
        rig.h.services.config.unlock(60)
        before = len(rig.h.services.api_keys.clients())
        r = await client.post("/api", content=b'{"devicetype": ' + text + b"}")
        assert_error(r, 400, 2)
        assert len(rig.h.services.api_keys.clients()) == before
        assert len(await rig.h.store.api_keys.all()) == before


@pytest.mark.parametrize("document", BAD_DOCUMENTS, ids=lambda d: repr(d[:12]))
async def test_documents_that_are_not_plain_json_are_error_2(sqlite_url, document):
    async with served(sqlite_url) as (rig, client):
        r = await client.put(f"/api/{rig.key}/config", content=document)
        assert_error(r, 400, 2)
        r = await client.put(rig.url("/1/state"), content=document)
        assert_error(r, 400, 2)
        assert rig.transport.sent == []


@pytest.mark.parametrize(
    "path",
    [f"/lights/{LONG_ID}", f"/lights/{LONG_ID}/state", "/lights/99999999999", "/lights/01"],
)
async def test_ids_that_cannot_exist_are_error_3(sqlite_url, path):
    async with served(sqlite_url) as (rig, client):
        for method in ("GET", "PUT", "DELETE"):
            r = await client.request(method, f"/api/{rig.key}{path}", content=b'{"on": true}')
            if method == "GET" and path.endswith("/state"):
                assert r.status_code in (404, 405), r.text  # no such light, or no GET
                continue
            assert_error(r, 404, 3)
        assert rig.transport.sent == []


async def test_long_touchlink_ids_are_error_3(sqlite_url):
    async with served(sqlite_url) as (rig, client):
        for action in ("identify", "reset"):
            r = await client.post(f"/api/{rig.key}/touchlink/{LONG_ID}/{action}")
            assert_error(r, 404, 3)


async def test_a_long_key_is_error_1(sqlite_url):
    async with served(sqlite_url) as (_, client):
        r = await client.get(f"/api/{'A' * 12_000}/lights")
        assert r.status_code in (403, 414, 431), r.text
        if r.status_code == 403:
            assert_error(r, 403, 1)


@pytest.mark.parametrize("path", ["/api//lights", "/api//config", "/api//lights/1/state"])
async def test_an_empty_key_is_error_1(sqlite_url, path):
    async with served(sqlite_url) as (_, client):
        r = await client.request("PUT" if path.endswith("state") else "GET", path)
        assert_error(r, 403, 1)


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PATCH"])
async def test_unsupported_methods_are_error_4_with_allow(sqlite_url, method):
    async with served(sqlite_url) as (rig, client):
        for path in (rig.url("/1"), "/api/config", "/openapi.json"):
            r = await client.request(method, path)
            assert_error(r, 405, 4)
            allow = {m.strip() for m in r.headers["allow"].split(",")}
            assert "GET" in allow and method not in allow
