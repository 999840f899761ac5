"""PUT and DELETE /api/<key>/config/password: change, reset, the first start's password.

Throttling of wrong old passwords is in ``test_abuse_password_change.py`` (real socket).
"""

from __future__ import annotations

from gateway.domain.config import GatewayConfigService
from gateway.store import Store
from tests.helpers.harness import ADMIN_PASSWORD, DeconzHarness, basic, harness


async def key_request_status(h: DeconzHarness, password: str, **headers: str) -> int:
    """The HTTP status of ``POST /api`` with the admin ``password`` (and more ``headers``)."""
    auth = {"Authorization": "Basic " + basic("delight", password), **headers}
    return (await h.client.post("/api", json={"devicetype": "a"}, headers=auth)).status_code


async def test_change_password_then_only_the_new_one_creates_keys(database_url):
    async with harness(database_url) as h:
        key = await h.new_key()
        r = await h.client.put(
            f"/api/{key}/config/password",
            json={
                "username": "delight",
                "oldhash": basic("delight", ADMIN_PASSWORD),
                "newhash": basic("delight", "s3cret!"),
            },
        )
        assert r.status_code == 200
        assert r.json() == {"success": {"/config/password": "changed"}}
        assert await key_request_status(h, ADMIN_PASSWORD) == 403
        assert await key_request_status(h, "s3cret!") == 200


async def test_change_password_with_wrong_old_hash_is_401(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.put(
            f"/api/{key}/config/password",
            json={
                "username": "delight",
                "oldhash": basic("delight", "nope"),
                "newhash": basic("delight", "x"),
            },
        )
        assert r.status_code == 401
        assert r.json()[0]["error"]["type"] == 7
        assert "oldhash" in r.json()[0]["error"]["description"]


async def test_change_password_with_missing_field_is_error_5(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config/password", json={"username": "delight"})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 5


async def test_password_hash_is_not_stored_in_plain_text(tmp_path):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'g.db'}"
    async with harness(url) as h:
        key = await h.new_key()
        await h.client.put(
            f"/api/{key}/config/password",
            json={
                "username": "delight",
                "oldhash": basic("delight", ADMIN_PASSWORD),
                "newhash": basic("delight", "Unguessable-42"),
            },
        )
    dump = "\n".join(sqlite3.connect(tmp_path / "g.db").iterdump())
    assert "Unguessable-42" not in dump
    assert basic("delight", "Unguessable-42") not in dump


LOCAL = {"Host": "127.0.0.1:80"}


async def test_reset_password_from_the_gateway_itself_makes_a_new_random_one(sqlite_url):
    announced: list[str | None] = []

    async def announce(password: str | None) -> None:
        announced.append(password)

    async with harness(sqlite_url, client_host="127.0.0.1") as h:
        h.services.config._announce_password = announce
        key = await h.new_key()
        h.clock.advance(599)
        r = await h.client.delete(f"/api/{key}/config/password", headers=LOCAL)
        assert r.status_code == 200
        assert r.json() == {}
        assert len(announced) == 1 and announced[0]
        assert announced[0] not in r.text
        assert await key_request_status(h, ADMIN_PASSWORD, **LOCAL) == 403
        assert await key_request_status(h, announced[0], **LOCAL) == 200


async def test_reset_password_from_another_host_is_refused_and_changes_nothing(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.delete(f"/api/{key}/config/password")
        assert r.status_code == 403
        assert r.json()[0]["error"]["type"] == 1
        assert "on the gateway itself" in r.json()[0]["error"]["description"]
        creds = {"Authorization": "Basic " + basic("delight", ADMIN_PASSWORD)}
        assert (
            await h.client.post("/api", json={"devicetype": "a"}, headers=creds)
        ).status_code == 200


async def test_reset_password_after_ten_minutes_is_403(sqlite_url):
    async with harness(sqlite_url, client_host="127.0.0.1") as h:
        key = await h.new_key()
        h.clock.advance(601)
        r = await h.client.delete(f"/api/{key}/config/password", headers=LOCAL)
        assert r.status_code == 403
        assert r.json()[0]["error"]["type"] == 1


async def test_a_first_start_generates_a_random_password_and_tells_only_the_announcer(tmp_path):
    announced: list[str | None] = []

    async def announce(password: str | None) -> None:
        announced.append(password)

    store = await Store.open(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        config = GatewayConfigService(store, announce_password=announce)
        await config.load()
        other = GatewayConfigService(store, announce_password=announce)
        await other.load()  # a restart: the stored password stays, nothing is announced
    finally:
        await store.close()
    assert len(announced) == 1
    password = announced[0]
    assert password and len(password) >= 20 and password != "delight"
    assert await config.check_admin_token(basic("delight", password))
    assert not await config.check_admin_token(basic("delight", "delight"))


async def test_the_legacy_default_password_works_only_from_the_gateway_itself(sqlite_url):
    async with harness(sqlite_url, initial_password="delight") as h:
        remote = {"Authorization": "Basic " + basic("delight", "delight")}
        r = await h.client.post("/api", json={"devicetype": "a"}, headers=remote)
        assert r.status_code == 403
        assert h.services.config.admin_password_is_default
    async with harness(sqlite_url, client_host="127.0.0.1", initial_password="delight") as h:
        local = {"Authorization": "Basic " + basic("delight", "delight"), **LOCAL}
        r = await h.client.post("/api", json={"devicetype": "a"}, headers=local)
        assert r.status_code == 200


async def test_the_legacy_default_cannot_be_changed_from_another_host(sqlite_url):
    async with harness(sqlite_url, initial_password="delight") as h:
        key = await h.new_key()
        r = await h.client.put(
            f"/api/{key}/config/password",
            json={
                "username": "delight",
                "oldhash": basic("delight", "delight"),
                "newhash": basic("delight", "mine-now"),
            },
        )
        assert r.status_code == 401
        assert h.services.config.admin_password_is_default
