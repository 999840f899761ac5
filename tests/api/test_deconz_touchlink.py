"""The touchlink API and service over a scripted radio port: answers, ids, errors.

What the radio really does is tested end to end against the emulator in
tests/zigbee/test_touchlink_e2e.py; here the port is a fake so each answer can be forced.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from gateway.api.deconz.routes import ROUTES, TOUCHLINK_ROUTES
from gateway.domain.radio import RadioBusy, RadioUnavailable, RadioUnsupported
from gateway.domain.touchlink import ScanResult, TouchlinkService, TouchlinkTargetSilent
from tests.helpers.harness import DeconzHarness, harness

A = ScanResult("00:17:88:01:00:bf:bf:ed", 11, 0xFFFF, True, -40)
B = ScanResult("00:17:88:01:00:22:b4:0a", 20, 0x1A2B, False, -61)
C = ScanResult("00:17:88:01:00:22:b4:0b", 20, 0xFFFF, True, None)
NOW = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)


@dataclass
class FakeLink:
    radio: FakeRadio

    async def scan(self, found: Callable[[ScanResult], None]) -> None:
        for result in self.radio.answers:
            found(result)
            await asyncio.sleep(0)
        await self.radio.gate.wait()
        if self.radio.scan_error is not None:
            raise self.radio.scan_error

    async def identify(self, target: ScanResult, seconds: int) -> None:
        if target.ieee in self.radio.silent:
            raise TouchlinkTargetSilent(target.ieee)
        self.radio.commands.append(("identify", target.ieee, seconds))

    async def reset(self, target: ScanResult) -> None:
        if target.ieee in self.radio.silent:
            raise TouchlinkTargetSilent(target.ieee)
        self.radio.commands.append(("reset", target.ieee, 0))

    async def finish(self) -> None:
        self.radio.finished += 1


@dataclass
class FakeRadio:
    """A TouchlinkRadio: answers are given, the scan ends when ``gate`` is set."""

    answers: list[ScanResult] = field(default_factory=lambda: [A, B, C, B])
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    scan_error: Exception | None = None
    refuse: Exception | None = None  # what taking the radio raises
    unsupported: bool = False
    silent: set[str] = field(default_factory=set)
    commands: list[tuple[str, str, int]] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    finished: int = 0

    def check(self) -> None:
        if self.unsupported:
            raise RadioUnsupported("Touchlink needs inter-PAN frames, which 'deconz' lacks")

    @contextlib.asynccontextmanager
    async def link(self, operation: str) -> AsyncIterator[FakeLink]:
        if self.refuse is not None:
            raise self.refuse
        self.operations.append(operation)
        yield FakeLink(self)


@dataclass
class Api:
    h: DeconzHarness
    key: str
    radio: FakeRadio
    service: TouchlinkService
    unreachable: list[str]

    async def post(self, path: str):
        return await self.h.client.post(f"/api/{self.key}{path}")

    async def get(self, path: str):
        return await self.h.client.get(f"/api/{self.key}{path}")

    async def scanned(self) -> dict:
        """Run a whole scan and return GET's body."""
        self.radio.gate.set()
        assert (await self.post("/touchlink/scan")).status_code == 200
        while self.service.running:
            await asyncio.sleep(0.01)
        return (await self.get("/touchlink/scan")).json()


@pytest.fixture
async def api(sqlite_url) -> AsyncIterator[Api]:
    async with harness(sqlite_url) as h:
        radio = FakeRadio()
        marked: list[str] = []
        service = TouchlinkService(radio, unreachable=marked.append, clock=lambda: NOW)
        h.services.touchlink = service
        yield Api(h, await h.new_key(), radio, service, marked)
        radio.gate.set()
        await service.stop()


def error_of(response) -> dict:
    (item,) = response.json()
    return item["error"]


# -- the route table ----------------------------------------------------------------------------


def test_touchlink_routes_are_in_the_table_every_keyed_route_test_walks():
    paths = {(r.path, m) for r in ROUTES for m in r.methods}
    assert {
        ("/api/{apikey}/touchlink/scan", "POST"),
        ("/api/{apikey}/touchlink/scan", "GET"),
        ("/api/{apikey}/touchlink/{id}/identify", "POST"),
        ("/api/{apikey}/touchlink/{id}/reset", "POST"),
    } <= paths
    assert all(r in ROUTES for r in TOUCHLINK_ROUTES)


# -- scan ------------------------------------------------------------------------------------------


async def test_before_any_scan_the_state_is_idle_with_no_results(api):
    r = await api.get("/touchlink/scan")
    assert r.status_code == 200
    assert r.json() == {"scanstate": "idle", "lastscan": "none", "result": {}}


async def test_post_scan_answers_success_and_get_shows_scanning(api):
    r = await api.post("/touchlink/scan")
    assert r.status_code == 200
    assert r.json() == [{"success": {"/touchlink/scan": "ok"}}]
    body = (await api.get("/touchlink/scan")).json()
    assert body["scanstate"] == "scanning"
    assert body["lastscan"] == "2024-05-01T12:30:15"
    assert api.radio.operations == ["touchlink scan"]


async def test_results_are_numbered_in_answer_order_each_target_once(api):
    body = await api.scanned()
    assert body == {
        "scanstate": "idle",
        "lastscan": "2024-05-01T12:30:15",
        "result": {
            "1": {
                "address": "0x0017880100bfbfed",
                "factorynew": True,
                "channel": 11,
                "panid": 0xFFFF,
                "rssi": -40,
            },
            "2": {
                "address": "0x001788010022b40a",
                "factorynew": False,
                "channel": 20,
                "panid": 0x1A2B,
                "rssi": -61,
            },
            "3": {
                "address": "0x001788010022b40b",
                "factorynew": True,
                "channel": 20,
                "panid": 0xFFFF,
                "rssi": None,
            },
        },
    }


async def test_a_new_scan_starts_with_empty_results(api):
    await api.scanned()
    api.radio.answers = [C]
    api.radio.gate.clear()
    await api.post("/touchlink/scan")
    await asyncio.sleep(0.01)
    body = (await api.get("/touchlink/scan")).json()
    assert body["scanstate"] == "scanning"
    assert list(body["result"]) == ["1"]
    assert body["result"]["1"]["address"] == "0x001788010022b40b"


async def test_a_second_scan_while_scanning_is_503_error_951(api):
    await api.post("/touchlink/scan")
    r = await api.post("/touchlink/scan")
    assert r.status_code == 503
    assert error_of(r) == {
        "type": 951,
        "address": "/touchlink/scan",
        "description": "Bridge busy: touchlink scan in progress",
    }
    assert api.radio.operations == ["touchlink scan"]


async def test_identify_and_reset_of_a_scanned_id_while_scanning_are_503_951(api):
    await api.scanned()
    api.radio.gate.clear()
    assert (await api.post("/touchlink/scan")).status_code == 200
    for path in ("/touchlink/1/identify", "/touchlink/2/reset"):
        r = await api.post(path)
        assert r.status_code == 503
        assert error_of(r)["type"] == 951


async def test_an_unknown_id_is_404_even_while_the_radio_is_busy(api):
    await api.scanned()
    api.radio.gate.clear()
    assert (await api.post("/touchlink/scan")).status_code == 200
    for path in ("/touchlink/99/identify", "/touchlink/99/reset", "/touchlink/01/reset"):
        r = await api.post(path)
        assert r.status_code == 404, r.text
        assert error_of(r)["type"] == 3


async def test_a_failing_scan_ends_idle_and_keeps_what_it_found(api):
    api.radio.scan_error = RadioUnavailable("radio lost during touchlink")
    body = await api.scanned()
    assert body["scanstate"] == "idle"
    assert len(body["result"]) == 3


async def test_radio_busy_elsewhere_is_503_951_naming_the_operation(api):
    api.radio.refuse = RadioBusy("channel change")
    r = await api.post("/touchlink/scan")
    assert r.status_code == 503
    assert error_of(r)["description"] == "Bridge busy: channel change in progress"
    assert (await api.get("/touchlink/scan")).json()["scanstate"] == "idle"


async def test_radio_down_is_503_950(api):
    api.radio.refuse = RadioUnavailable("Not connected")
    r = await api.post("/touchlink/scan")
    assert r.status_code == 503
    assert error_of(r) == {
        "type": 950,
        "address": "/touchlink/scan",
        "description": "Not connected",
    }


async def test_get_scan_supports_etags(api):
    first = await api.get("/touchlink/scan")
    again = await api.h.client.get(
        f"/api/{api.key}/touchlink/scan", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


# -- identify and reset ----------------------------------------------------------------------------


async def test_identify_sends_to_the_target_of_that_id(api):
    await api.scanned()
    r = await api.post("/touchlink/2/identify")
    assert r.status_code == 200
    assert r.json() == [{"success": {"/touchlink/2/identify": "ok"}}]
    assert api.radio.commands == [("identify", B.ieee, 5)]
    assert api.unreachable == []
    assert api.radio.operations[-1] == "touchlink identify"


async def test_reset_marks_the_light_with_that_address_unreachable(api):
    await api.scanned()
    r = await api.post("/touchlink/1/reset")
    assert r.json() == [{"success": {"/touchlink/1/reset": "ok"}}]
    assert api.radio.commands == [("reset", A.ieee, 0)]
    assert api.unreachable == [A.ieee]


@pytest.mark.parametrize("rid", ["4", "0", "01", "-1", "x", "1.0"])
@pytest.mark.parametrize("command", ["identify", "reset"])
async def test_unknown_ids_are_404_error_3_and_nothing_is_sent(api, rid, command):
    await api.scanned()
    r = await api.post(f"/touchlink/{rid}/{command}")
    assert r.status_code == 404
    assert error_of(r) == {
        "type": 3,
        "address": f"/touchlink/{rid}",
        "description": f"resource, /touchlink/{rid}, not available",
    }
    assert api.radio.commands == []


async def test_ids_are_404_before_any_scan(api):
    r = await api.post("/touchlink/1/identify")
    assert r.status_code == 404


async def test_a_silent_target_is_error_202_and_is_not_marked(api):
    await api.scanned()
    api.radio.silent.add(A.ieee)
    r = await api.post("/touchlink/1/reset")
    assert r.status_code == 200
    assert error_of(r)["type"] == 202
    assert api.unreachable == []


async def test_identify_and_reset_do_not_accept_get(api):
    r = await api.get("/touchlink/1/identify")
    assert r.status_code == 405
    assert error_of(r)["type"] == 4


# -- radios that cannot, and no radio -------------------------------------------------------------


CALLS = [
    ("POST", "/touchlink/scan"),
    ("GET", "/touchlink/scan"),
    ("POST", "/touchlink/1/identify"),
    ("POST", "/touchlink/1/reset"),
]


@pytest.mark.parametrize("method,path", CALLS)
async def test_a_radio_without_inter_pan_answers_503_with_the_reason(api, method, path):
    api.radio.unsupported = True
    r = await api.h.client.request(method, f"/api/{api.key}{path}")
    assert r.status_code == 503
    assert error_of(r)["type"] == 950
    assert "inter-PAN" in error_of(r)["description"]
    assert api.radio.operations == []


@pytest.mark.parametrize("method,path", CALLS)
async def test_without_a_radio_every_call_is_503_error_950(sqlite_url, method, path):
    async with harness(sqlite_url) as h:
        key = await h.new_key()
        r = await h.client.request(method, f"/api/{key}{path}")
        assert r.status_code == 503
        assert error_of(r) == {
            "type": 950,
            "address": path,
            "description": "no Zigbee radio is configured",
        }


async def test_hue_clients_get_touchlink_errors_with_http_200(api):
    api.h.services.config.unlock(60)
    created = await api.h.client.post("/api", json={"devicetype": "hue_app#phone"})
    hue_key = created.json()[0]["success"]["username"]
    r = await api.h.client.post(f"/api/{hue_key}/touchlink/7/identify")
    assert r.status_code == 200
    assert error_of(r)["type"] == 3
    assert re.fullmatch(r"resource, /touchlink/7, not available", error_of(r)["description"])
