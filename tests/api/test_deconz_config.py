"""GET/PUT /api/<key>/config, the public config, full state, permit join and channel.

The password is in ``test_deconz_password.py``; reset and update in
``test_deconz_config_maintenance.py``.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import harness

SPEC_CONFIG_FIELDS = {
    "apiversion",
    "dhcp",
    "gateway",
    "ipaddress",
    "linkbutton",
    "localtime",
    "mac",
    "name",
    "netmask",
    "networkopenduration",
    "panid",
    "portalservices",
    "proxyaddress",
    "proxyport",
    "swupdate",
    "swversion",
    "timeformat",
    "timezone",
    "utc",
    "uuid",
    "whitelist",
    "zigbeechannel",
}
ISSUE_CONFIG_FIELDS = {"bridgeid", "websocketport", "modelid", "datastoreversion", "permitjoin"}


async def test_get_config_has_every_field_of_the_spec(database_url):
    async with harness(database_url, network=FakeNetwork(channel=20, pan_id=56889)) as h:
        key = await h.new_key()
        r = await h.client.get(f"/api/{key}/config")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        body = r.json()
        assert set(body) >= SPEC_CONFIG_FIELDS | ISSUE_CONFIG_FIELDS
        assert body["panid"] == 56889
        assert body["zigbeechannel"] == 20
        assert body["websocketport"] == 8088
        assert body["mac"] == "b8:27:eb:12:34:56"
        assert body["ipaddress"] == "192.0.2.10"
        assert re.fullmatch(r"[0-9A-F]{16}", body["bridgeid"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["utc"])
        assert body["swupdate"] == {"notify": False, "text": "", "updatestate": 0, "url": ""}


async def test_bridgeid_is_derived_from_the_mac_until_a_coordinator_is_known(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        assert (await h.client.get(f"/api/{key}/config")).json()["bridgeid"] == "B827EBFFFE123456"
        await h.services.config.remember_bridgeid("00:21:2e:ff:ff:00:73:9f")
        assert (await h.client.get(f"/api/{key}/config")).json()["bridgeid"] == "00212EFFFF00739F"


async def test_public_config_needs_no_key_and_hides_private_fields(sqlite_url):
    async with harness(sqlite_url) as h:
        await h.new_key()
        r = await h.client.get("/api/config")
        assert r.status_code == 200
        body = r.json()
        assert {
            "name",
            "bridgeid",
            "modelid",
            "apiversion",
            "swversion",
            "mac",
            "datastoreversion",
        } <= set(body)
        assert "whitelist" not in body
        assert "ipaddress" not in body


async def test_full_state_has_every_section(database_url):
    async with harness(database_url) as h:
        key = await h.new_key()
        r = await h.client.get(f"/api/{key}")
        assert r.status_code == 200
        body = r.json()
        sections = {"groups", "lights", "sensors", "scenes", "schedules", "rules"}
        assert set(body) == {"config", *sections}
        assert body["lights"] == {} and body["groups"] == {}
        assert set(body["config"]) >= SPEC_CONFIG_FIELDS


async def test_etag_and_if_none_match_give_304(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.get(f"/api/{key}/config")
        etag = r.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
        # utc changes each second; pin time by asking twice quickly enough or retrying
        for _ in range(3):
            r = await h.client.get(f"/api/{key}/config")
            r2 = await h.client.get(
                f"/api/{key}/config", headers={"If-None-Match": r.headers["etag"]}
            )
            if r2.status_code == 304:
                break
        assert r2.status_code == 304
        assert r2.content == b""
        await h.client.put(f"/api/{key}/config", json={"name": "changed"})
        r3 = await h.client.get(f"/api/{key}/config", headers={"If-None-Match": r.headers["etag"]})
        assert r3.status_code == 200


WRITES = [
    ("name", "Living GW"),
    ("name", ""),
    ("rfconnected", False),
    ("updatechannel", "beta"),
    ("groupdelay", 5000),
    ("otauactive", True),
    ("discovery", True),
    ("timeformat", "12h"),
    ("timezone", "Europe/Berlin"),
    ("networkopenduration", 65535),
    ("websocketnotifyall", False),
]


@pytest.mark.parametrize("field,value", WRITES)
async def test_put_config_stores_the_value_and_get_shows_it_after_restart(
    database_url, field, value
):
    async with harness(database_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={field: value})
        assert r.status_code == 200
        assert r.json() == [{"success": {f"/config/{field}": value}}]
        h2 = await h.restart()
        try:
            assert (await h2.client.get(f"/api/{key}/config")).json()[field] == value
        finally:
            await h2.client.aclose()
            await h2.store.close()


INVALID = [
    ("name", "x" * 17),
    ("name", 5),
    ("rfconnected", "true"),
    ("rfconnected", 1),
    ("updatechannel", "nightly"),
    ("permitjoin", 256),
    ("permitjoin", -1),
    ("permitjoin", True),
    ("permitjoin", 1.5),
    ("groupdelay", 5001),
    ("otauactive", None),
    ("discovery", "yes"),
    ("unlock", 601),
    ("unlock", -5),
    ("zigbeechannel", 12),
    ("zigbeechannel", 26),
    ("zigbeechannel", "15"),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", 3),
    ("timeformat", "25h"),
    ("networkopenduration", 65536),
    ("utc", "yesterday"),
]


@pytest.mark.parametrize("field,value", INVALID)
async def test_put_config_rejects_a_bad_value_with_error_7_and_changes_nothing(
    sqlite_url, field, value
):
    async with harness(sqlite_url, network=FakeNetwork()) as h:
        key = await h.new_key()
        before = (await h.client.get(f"/api/{key}/config")).json()
        r = await h.client.put(f"/api/{key}/config", json={field: value})
        assert r.status_code == 400
        (item,) = r.json()
        assert item["error"]["type"] == 7
        assert item["error"]["address"] == f"/config/{field}"
        assert item["error"]["description"].endswith(f"for parameter, {field}")
        after = (await h.client.get(f"/api/{key}/config")).json()
        for k in ("utc", "localtime"):
            before.pop(k), after.pop(k)
        assert after == before
        assert h.services.config.network.calls == []


async def test_put_config_with_one_bad_value_applies_none_of_the_good_ones(database_url):
    async with harness(database_url, network=FakeNetwork()) as h:
        key = await h.new_key()
        r = await h.client.put(
            f"/api/{key}/config", json={"name": "new", "permitjoin": 60, "groupdelay": -1}
        )
        assert r.status_code == 400
        assert [e["error"]["address"] for e in r.json()] == ["/config/groupdelay"]
        body = (await h.client.get(f"/api/{key}/config")).json()
        assert body["name"] == "gateway"
        assert body["permitjoin"] == 0
        assert h.services.config.network.calls == []


async def test_put_config_unknown_parameter_is_error_6(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"colour": "blue"})
        assert r.status_code == 400
        assert r.json() == [
            {
                "error": {
                    "type": 6,
                    "address": "/config/colour",
                    "description": "parameter, colour, not available",
                }
            }
        ]


@pytest.mark.parametrize("field", ["mac", "bridgeid", "apiversion", "panid", "whitelist", "uuid"])
async def test_put_config_read_only_parameter_is_error_8(sqlite_url, field):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={field: "x"})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 8
        assert r.json()[0]["error"]["description"] == f"parameter, {field}, is not modifiable"


async def test_put_config_utc_in_valid_format_is_refused_with_the_reason(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"utc": "2024-01-01T10:00:00"})
        assert r.json()[0]["error"]["type"] == 8
        assert "NTP" in r.json()[0]["error"]["description"]


@pytest.mark.parametrize("raw", [b"{", b"[]", b"{}", b"null"])
async def test_put_config_invalid_or_empty_json_is_error_2(sqlite_url, raw):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", content=raw)
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 2


async def test_localtime_follows_the_configured_timezone(sqlite_url):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        await h.client.put(f"/api/{key}/config", json={"timezone": "Asia/Kolkata"})
        body = (await h.client.get(f"/api/{key}/config")).json()
        from datetime import datetime

        utc = datetime.fromisoformat(body["utc"])
        local = datetime.fromisoformat(body["localtime"])
        assert (local - utc).total_seconds() in (19800, 19799, 19801)


# -- permit join and channel ---------------------------------------------------------------


async def test_permitjoin_opens_the_radio_and_counts_down(database_url):
    network = FakeNetwork()
    async with harness(database_url, network=network) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"permitjoin": 60})
        assert r.json() == [{"success": {"/config/permitjoin": 60}}]
        assert network.calls == [("permit_join", 60)]
        assert (await h.client.get(f"/api/{key}/config")).json()["permitjoin"] == 60
        h.clock.advance(20.5)
        assert (await h.client.get(f"/api/{key}/config")).json()["permitjoin"] == 40
        h.clock.advance(40)
        assert (await h.client.get(f"/api/{key}/config")).json()["permitjoin"] == 0


async def test_permitjoin_zero_closes_and_255_stays_open(sqlite_url):
    network = FakeNetwork()
    async with harness(sqlite_url, network=network) as h:
        key = await h.new_key()
        await h.client.put(f"/api/{key}/config", json={"permitjoin": 255})
        h.clock.advance(10_000)
        assert (await h.client.get(f"/api/{key}/config")).json()["permitjoin"] == 255
        await h.client.put(f"/api/{key}/config", json={"permitjoin": 0})
        assert (await h.client.get(f"/api/{key}/config")).json()["permitjoin"] == 0
        assert network.calls == [("permit_join", 255), ("permit_join", 0)]


async def test_permitjoin_without_a_reachable_radio_is_503_error_950(sqlite_url):
    network = FakeNetwork(up=False)
    async with harness(sqlite_url, network=network) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"permitjoin": 60, "name": "x"})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950
        assert (await h.client.get(f"/api/{key}/config")).json()["name"] == "gateway"
    async with harness(sqlite_url, network=None) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"permitjoin": 60})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950


async def test_permitjoin_while_the_radio_is_busy_is_503_error_951(sqlite_url):
    async with harness(sqlite_url, network=FakeNetwork(busy_with="touchlink")) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"permitjoin": 60})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 951


@pytest.mark.parametrize("channel", [11, 15, 20, 25])
async def test_zigbeechannel_moves_the_network_and_is_stored(database_url, channel):
    network = FakeNetwork(channel=11 if channel != 11 else 15)
    async with harness(database_url, network=network) as h:
        key = await h.new_key()
        r = await h.client.put(f"/api/{key}/config", json={"zigbeechannel": channel})
        assert r.json() == [{"success": {"/config/zigbeechannel": channel}}]
        assert network.calls == [("change_channel", channel)]
        assert (await h.client.get(f"/api/{key}/config")).json()["zigbeechannel"] == channel
        assert h.services.config.current.zigbeechannel == channel
