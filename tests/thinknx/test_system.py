"""System commands: raw telegrams of each DPT to any group address, and serverStatus."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

from tests.thinknx.conftest import PASSWORD, USER


@pytest.mark.parametrize(
    ("command", "value", "payload", "echo"),
    [
        ("sendKNXbit", "1", DPTBinary(1), 1),
        ("sendKNXbit", "0", DPTBinary(0), 0),
        ("sendKNX4bits", "9", DPTBinary(9), 9),  # DPT 3: increase, step code 1
        ("sendKNX4bits", "3", DPTBinary(3), 3),  # DPT 2: control 1, value 1
        ("sendKNXbyte", "200", DPTArray((200,)), 200),
        ("sendKNXbyteun", "-5", DPTArray((0xFB,)), -5),
        ("sendKNXbyteun", "127", DPTArray((0x7F,)), 127),
        ("sendKNXfloat2bytes", "21.5", DPTArray((0x0C, 0x33)), 21.5),
        ("sendKNXfloat2bytes", "-1.5", DPTArray((0x87, 0x6A)), -1.5),
        ("sendKNXfloat4bytes", "85.235", DPTArray((0x42, 0xAA, 0x78, 0x52)), 85.235),
    ],
)
async def test_send_puts_the_value_s_bytes_on_the_bus(rig, command, value, payload, echo):
    mark = rig.mark()
    r = await rig.get(f"system/{command}", group="1/0/9", value=value)
    assert r.status_code == 200
    assert r.json() == {"namespace": f"system/{command}", "group": "1/0/9", "value": echo}
    [telegram] = rig.sent_since(mark)
    assert (telegram.destination, telegram.kind, telegram.payload) == ("1/0/9", "write", payload)


async def test_float2bytes_answers_the_value_the_bus_carries(rig):
    r = await rig.get("system/sendKNXfloat2bytes", group="1/0/9", value="85.235")
    assert r.json()["value"] == 85.2  # DPT 9 has no finer step at that size


async def test_a_free_format_group_address_is_answered_in_three_levels(rig):
    r = await rig.get("system/sendKNXbit", group="2049", value=1)
    assert r.json()["group"] == "1/0/1"


@pytest.mark.parametrize(
    ("command", "value"),
    [
        ("sendKNXbit", "2"),
        ("sendKNXbit", "0.5"),
        ("sendKNX4bits", "16"),  # the spec says 0..31, but a 4-bit object holds 0..15
        ("sendKNX4bits", "31"),
        ("sendKNX4bits", "-1"),
        ("sendKNXbyte", "256"),
        ("sendKNXbyte", "-1"),
        ("sendKNXbyteun", "128"),
        ("sendKNXbyteun", "-129"),
        ("sendKNXfloat2bytes", "700000"),
        ("sendKNXfloat4bytes", "1e3"),
        ("sendKNXfloat4bytes", "abc"),
    ],
)
async def test_values_outside_the_dpt_are_params_errors_and_send_nothing(rig, command, value):
    mark = rig.mark()
    r = await rig.get(f"system/{command}", group="1/0/9", value=value)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})
    assert rig.sent_since(mark) == []


@pytest.mark.parametrize("group", ["1/0/x", "0/0/0", "32/0/0", "1/8/0", "", "1.1.1"])
async def test_a_bad_group_address_is_params_errors(rig, group):
    r = await rig.get("system/sendKNXbit", group=group, value=1)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_a_missing_value_is_params_errors(rig):
    r = await rig.get("system/sendKNXbyte", group="1/0/9")
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_server_status_has_every_field_in_the_spec_s_format(rig):
    r = await rig.get("system/serverStatus")
    body = r.json()
    assert list(body) == [
        "namespace", "version", "process_uptime", "server_uptime", "config_time",
        "connected_clients", "pbx_users",
    ]  # fmt: skip
    assert body["namespace"] == "system/serverStatus"
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{2}", body["version"])
    uptime = r"\d+ days \d{1,2} hours \d{1,2} min"
    assert re.fullmatch(uptime, body["process_uptime"])
    assert re.fullmatch(uptime, body["server_uptime"])
    assert body["pbx_users"] == ""


async def test_server_status_config_time_is_when_the_catalogue_was_loaded(rig):
    loaded_at = rig.stack.catalogues.current.loaded_at
    r = await rig.get("system/serverStatus")
    config_time = datetime.strptime(r.json()["config_time"], "%H:%M:%S %Y-%m-%d")
    assert config_time.replace(tzinfo=UTC) == loaded_at


async def test_server_status_counts_distinct_recent_clients(rig):
    await rig.get("system/serverStatus")
    other = rig.new_client(
        auth=httpx.BasicAuth(USER, PASSWORD),
        transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2"),
    )
    r = await other.get("/api/V1/system/serverStatus")
    assert r.json()["connected_clients"] == 2


async def test_unknown_path_is_404_json(rig):
    r = await rig.client.get("/api/V1/nosuchcontroller")
    assert (r.status_code, r.json()) == (404, {"error": "not found"})


async def test_other_methods_are_405_with_allow(rig):
    r = await rig.client.put("/api/V1/power?guid=living_room_light&cmd=1")
    assert (r.status_code, r.json()) == (405, {"error": "method not allowed"})
    assert r.headers["allow"] == "GET, POST"


async def test_head_is_refused_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.client.head("/api/V1/power?guid=living_room_light&cmd=1")
    assert r.status_code == 405
    assert rig.sent_since(mark) == []
