"""POST /api and the whitelist: who may get an API key, and how keys are kept."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.helpers.harness import ADMIN_PASSWORD, basic, harness


async def test_post_api_while_locked_is_refused_with_error_101(database_url):
    async with harness(database_url) as h:
        r = await h.client.post("/api", json={"devicetype": "app"})
        assert r.status_code == 403
        assert r.json() == [
            {"error": {"type": 101, "address": "/", "description": "link button not pressed"}}
        ]
        assert h.services.api_keys.clients() == []


async def test_post_api_while_unlocked_returns_a_new_random_hex_key(database_url):
    async with harness(database_url) as h:
        h.services.config.unlock(60)
        r1 = await h.client.post("/api", json={"devicetype": "app"})
        r2 = await h.client.post("/api", json={"devicetype": "app"})
        assert r1.status_code == 200
        key1, key2 = (r.json()[0]["success"]["username"] for r in (r1, r2))
        assert re.fullmatch(r"[0-9A-F]{10,}", key1)
        assert key1 != key2
        assert (await h.client.get(f"/api/{key1}/config")).status_code == 200


async def test_unlock_window_closes_after_its_seconds(database_url):
    async with harness(database_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"unlock": 30})
        assert r.json() == [{"success": {"/config/unlock": 30}}]
        assert (await h.client.get(f"/api/{key}/config")).json()["linkbutton"] is True
        h.clock.advance(29)
        assert (await h.client.post("/api", json={"devicetype": "a"})).status_code == 200
        h.clock.advance(2)
        assert (await h.client.post("/api", json={"devicetype": "b"})).status_code == 403
        assert (await h.client.get(f"/api/{key}/config")).json()["linkbutton"] is False


async def test_post_api_with_admin_basic_credentials_works_while_locked(database_url):
    async with harness(database_url) as h:
        r = await h.client.post(
            "/api",
            json={"devicetype": "app"},
            headers={"Authorization": "Basic " + basic("delight", ADMIN_PASSWORD)},
        )
        assert r.status_code == 200
        assert "username" in r.json()[0]["success"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + basic("delight", "wrong"),
        "Basic " + basic("other", ADMIN_PASSWORD),
        "Basic !!!",
        "Bearer " + basic("delight", ADMIN_PASSWORD),
    ],
)
async def test_post_api_with_wrong_credentials_is_refused(sqlite_url, authorization):
    async with harness(sqlite_url) as h:
        r = await h.client.post(
            "/api", json={"devicetype": "app"}, headers={"Authorization": authorization}
        )
        assert r.status_code == 403
        assert r.json()[0]["error"]["type"] == 101


async def test_post_api_from_loopback_needs_the_setting(sqlite_url):
    async with harness(sqlite_url, client_host="127.0.0.1") as h:
        r = await h.client.post(
            "/api", json={"devicetype": "app"}, headers={"Host": "127.0.0.1:80"}
        )
        assert r.status_code == 403
    async with harness(sqlite_url, client_host="127.0.0.1", allow_local_apikey=True) as h:
        r = await h.client.post(
            "/api", json={"devicetype": "app"}, headers={"Host": "127.0.0.1:80"}
        )
        assert r.status_code == 200
        # A remote Host header through a local proxy does not count as local.
        r = await h.client.post(
            "/api", json={"devicetype": "app"}, headers={"Host": "gateway.example"}
        )
        assert r.status_code == 403


async def test_post_api_without_devicetype_is_error_5(sqlite_url):
    async with harness(sqlite_url) as h:
        h.services.config.unlock(60)
        r = await h.client.post("/api", json={"username": "abcdefghijkl"})
        assert r.status_code == 400
        assert r.json() == [
            {"error": {"type": 5, "address": "/", "description": "missing parameters in body"}}
        ]


@pytest.mark.parametrize(
    "body,param",
    [
        ({"devicetype": "x" * 41}, "devicetype"),
        ({"devicetype": 12}, "devicetype"),
        ({"devicetype": "app", "username": "short"}, "username"),
        ({"devicetype": "app", "username": "u" * 41}, "username"),
        ({"devicetype": "app", "username": 1234567890123}, "username"),
        ({"devicetype": "app", "username": "has/a/slash1"}, "username"),
    ],
)
async def test_post_api_with_bad_values_is_error_7(sqlite_url, body, param):
    async with harness(sqlite_url) as h:
        h.services.config.unlock(60)
        r = await h.client.post("/api", json=body)
        assert r.status_code == 400
        err = r.json()[0]["error"]
        assert err["type"] == 7
        assert err["description"].endswith(f"for parameter, {param}")
        assert h.services.api_keys.clients() == []


@pytest.mark.parametrize("raw", [b"{", b"[1,2]", b"\xff\xfe", b"", b'"text"'])
async def test_post_api_with_invalid_json_is_error_2(sqlite_url, raw):
    async with harness(sqlite_url) as h:
        h.services.config.unlock(60)
        r = await h.client.post("/api", content=raw)
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 2
        assert r.headers["content-type"].startswith("application/json")


async def test_post_api_with_username_uses_it_as_the_key(database_url):
    async with harness(database_url) as h:
        h.services.config.unlock(60)
        r = await h.client.post(
            "/api", json={"devicetype": "app", "username": "988112a4e198cc1211"}
        )
        assert r.json() == [{"success": {"username": "988112a4e198cc1211"}}]
        assert (await h.client.get("/api/988112a4e198cc1211/config")).status_code == 200


async def test_hue_clients_get_errors_with_http_200(sqlite_url):
    async with harness(sqlite_url) as h:
        r = await h.client.post("/api", json={"devicetype": "hue_ios_app#iphone"})
        assert r.status_code == 200
        assert r.json()[0]["error"]["type"] == 101
        key = await h.new_key("Hue Essentials#pixel")
        r = await h.client.put(f"/api/{key}/config", json={"zigbeechannel": 12})
        assert r.status_code == 200
        assert r.json()[0]["error"]["type"] == 7
        # A deCONZ client gets the HTTP status.
        other = await h.new_key("Phoscon#B1")
        r = await h.client.put(f"/api/{other}/config", json={"zigbeechannel": 12})
        assert r.status_code == 400


async def test_keys_are_stored_hashed_never_in_plain_text(tmp_path):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    async with harness(url) as h:
        key = await h.new_key()
    dump = "\n".join(sqlite3.connect(tmp_path / "g.db").iterdump())
    assert key not in dump
    assert key.lower() not in dump.lower()


async def test_keys_survive_a_restart(database_url):
    async with harness(database_url) as h:
        key = await h.new_key()
        h2 = await h.restart()
        try:
            assert (await h2.client.get(f"/api/{key}/config")).status_code == 200
        finally:
            await h2.client.aclose()
            await h2.store.close()


async def test_whitelist_shows_clients_by_key_id_not_by_key(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key("my app#1")
        wl = (await h.client.get(f"/api/{key}/config")).json()["whitelist"]
        assert key not in wl
        ((key_id, entry),) = wl.items()
        assert re.fullmatch(r"[0-9a-f]{16}", key_id)
        assert entry["name"] == "my app#1"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", entry["create date"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", entry["last use date"])


@pytest.mark.parametrize("by", ["key", "key_id"])
async def test_delete_whitelist_entry_revokes_the_key(database_url, by):
    async with harness(database_url) as h:
        admin = await h.new_key("admin")
        victim = await h.new_key("victim")
        handle = victim
        if by == "key_id":
            wl = (await h.client.get(f"/api/{admin}/config")).json()["whitelist"]
            handle = next(k for k, v in wl.items() if v["name"] == "victim")
        r = await h.client.delete(f"/api/{admin}/config/whitelist/{handle}")
        assert r.status_code == 200
        assert r.json() == [{"success": f"/config/whitelist/{handle} deleted."}]
        r = await h.client.get(f"/api/{victim}/config")
        assert r.status_code == 403
        assert r.json()[0]["error"]["type"] == 1


async def test_delete_unknown_whitelist_entry_is_404_error_3(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.delete(f"/api/{key}/config/whitelist/NOSUCHKEY123")
        assert r.status_code == 404
        assert r.json()[0]["error"]["type"] == 3
