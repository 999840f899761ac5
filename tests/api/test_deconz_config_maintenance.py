"""POST /api/<key>/config/reset, config/update and config/updatefirmware."""

from __future__ import annotations

import pytest

from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import harness


async def test_config_reset_needs_at_least_one_parameter_error_5(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.post(f"/api/{key}/config/reset", json={})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 5


async def test_config_reset_with_non_bool_is_error_7(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.post(f"/api/{key}/config/reset", json={"deleteDB": "yes"})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 7


async def test_config_reset_delete_db_restores_defaults_but_keeps_keys(database_url):
    async with harness(database_url) as h:
        key = await h.new_key()
        await h.client.put(f"/api/{key}/config", json={"name": "custom", "groupdelay": 9})
        r = await h.client.post(f"/api/{key}/config/reset", json={"deleteDB": True})
        assert r.json() == {"success": {"/config/reset": "success"}}
        body = (await h.client.get(f"/api/{key}/config")).json()
        assert body["name"] == "gateway"
        assert body["groupdelay"] == 50


async def test_config_reset_gateway_resets_the_network(sqlite_url):
    network = FakeNetwork()
    async with harness(sqlite_url, network=network) as h:
        key = await h.new_key()
        r = await h.client.post(
            f"/api/{key}/config/reset", json={"resetGW": True, "deleteDB": False}
        )
        assert r.status_code == 200
        assert network.calls == [("reset_network", None)]


async def test_config_reset_gateway_without_radio_is_503(sqlite_url):
    async with harness(sqlite_url, network=FakeNetwork(up=False)) as h:
        key = await h.new_key()
        r = await h.client.post(f"/api/{key}/config/reset", json={"resetGW": True})
        assert r.status_code == 503


async def test_update_reports_the_software_version(sqlite_url):
    from gateway import __version__

    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.post(f"/api/{key}/config/update")
        assert r.json() == {"success": {"/config/update": __version__}}


async def test_updatefirmware_reports_the_coordinator_firmware(sqlite_url):
    async with harness(sqlite_url, network=FakeNetwork(firmware_version="20240710")) as h:
        key = await h.new_key()
        r = await h.client.post(f"/api/{key}/config/updatefirmware")
        assert r.json() == {"success": {"/config/updatefirmware": "20240710"}}


@pytest.mark.parametrize("network", [None, FakeNetwork(up=False)])
async def test_updatefirmware_without_a_radio_is_503(sqlite_url, network):
    async with harness(sqlite_url, network=network) as h:
        key = await h.new_key()
        r = await h.client.post(f"/api/{key}/config/updatefirmware")
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950
