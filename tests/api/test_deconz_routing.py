"""Every /api/<apikey>/... route checks the key; unknown resources and methods get errors 3/4."""

from __future__ import annotations

import re

import pytest

from gateway.api.deconz.routes import ROUTES
from tests.helpers.harness import harness

KEYED = [(r.path, m) for r in ROUTES for m in r.methods if "{apikey}" in r.path]


def _concrete(path: str, key: str) -> str:
    path = path.replace("{apikey}", key)
    return re.sub(r"{[^}]+}", "1", path)


def test_the_route_table_has_every_keyed_configuration_route():
    assert {
        ("/api/{apikey}", "GET"),
        ("/api/{apikey}/config", "GET"),
        ("/api/{apikey}/config", "PUT"),
        ("/api/{apikey}/config/whitelist/{apikey2}", "DELETE"),
        ("/api/{apikey}/config/password", "PUT"),
        ("/api/{apikey}/config/password", "DELETE"),
        ("/api/{apikey}/config/reset", "POST"),
        ("/api/{apikey}/config/update", "POST"),
        ("/api/{apikey}/config/updatefirmware", "POST"),
    } <= set(KEYED)


@pytest.mark.parametrize("path,method", KEYED, ids=[f"{m} {p}" for p, m in KEYED])
async def test_every_keyed_route_refuses_an_unknown_key_with_error_1(sqlite_url, path, method):
    async with harness(sqlite_url) as h:
        await h.new_key()
        url = _concrete(path, "0123456789ABCDEF")
        r = await h.client.request(method, url, json={"name": "x"})
        assert r.status_code == 403
        (item,) = r.json()
        assert item["error"]["type"] == 1
        assert item["error"]["description"] == "unauthorized user"
        assert h.services.config.current.name == "gateway"


@pytest.mark.parametrize("path,method", KEYED, ids=[f"{m} {p}" for p, m in KEYED])
async def test_every_keyed_route_refuses_a_deleted_key(sqlite_url, path, method):
    async with harness(sqlite_url) as h:
        admin = await h.new_key()
        gone = await h.new_key()
        await h.client.delete(f"/api/{admin}/config/whitelist/{gone}")
        r = await h.client.request(method, _concrete(path, gone), json={"name": "x"})
        assert r.status_code == 403
        assert r.json()[0]["error"]["type"] == 1


async def test_unknown_resource_with_a_valid_key_is_404_error_3(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.get(f"/api/{key}/nonsense/7")
        assert r.status_code == 404
        assert r.json() == [
            {
                "error": {
                    "type": 3,
                    "address": "/nonsense/7",
                    "description": "resource, /nonsense/7, not available",
                }
            }
        ]


async def test_unknown_resource_with_an_unknown_key_is_403_error_1(sqlite_url):
    async with harness(sqlite_url) as h:
        r = await h.client.get("/api/NOTAKEY12345/nonsense")
        assert r.status_code == 403
        assert r.json()[0]["error"]["type"] == 1


async def test_wrong_method_is_error_4_with_allow_header(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.delete(f"/api/{key}/config")
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, PUT"
        assert r.json() == [
            {
                "error": {
                    "type": 4,
                    "address": "/config",
                    "description": "method, DELETE, not available for resource, /config",
                }
            }
        ]


async def test_paths_outside_the_api_answer_json(sqlite_url):
    async with harness(sqlite_url) as h:
        r = await h.client.get("/no/such/page")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/json"
        assert r.json()[0]["error"]["type"] == 3


async def test_openapi_describes_every_route_of_the_table(sqlite_url):
    async with harness(sqlite_url) as h:
        doc = (await h.client.get("/openapi.json")).json()
        assert doc["openapi"].startswith("3.")
        for route in ROUTES:
            assert route.path in doc["paths"]
            assert set(doc["paths"][route.path]) == {m.lower() for m in route.methods}
