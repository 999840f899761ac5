"""The sensors endpoints over a real uvicorn socket: CLIP sensors, rename, delete, config
and state validation (deCONZ error shapes), the full state, and a restart.

Zigbee sensors are added here the way the radio side adds them (``discovered``); the
emulator-driven path is in test_sensors_e2e.py.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.domain.events import Subscription
from gateway.domain.sensors import DiscoveredSensor, SensorsService
from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import DeconzHarness, build_harness
from tests.helpers.servers import running_server

FLAG = {
    "name": "Away",
    "modelid": "flag",
    "swversion": "1.0",
    "type": "CLIPGenericFlag",
    "uniqueid": "my-app-away",
    "manufacturername": "Me",
}
MOTION = DiscoveredSensor(
    ieee="00:17:88:01:5e:00:00:03",
    endpoint=2,
    cluster=0x0406,
    type="ZHAPresence",
    manufacturer="Philips",
    model="SML001",
    swversion="6.1",
    config={"battery": 90, "duration": 60, "sensitivity": 2, "sensitivitymax": 2},
)
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@dataclass
class Api:
    harness: DeconzHarness
    service: SensorsService
    http: httpx.AsyncClient
    key: str
    events: Subscription

    def url(self, path: str = "") -> str:
        return f"/api/{self.key}/sensors{path}"

    async def create(self, **changes: Any) -> str:
        r = await self.http.post(self.url(), json={**FLAG, **changes})
        assert r.status_code == 200, r.text
        return str(r.json()[0]["success"]["id"])


@contextlib.asynccontextmanager
async def api(url: str, harness: DeconzHarness | None = None) -> AsyncIterator[Api]:
    h = harness or await build_harness(url, network=FakeNetwork())
    service = SensorsService(
        h.store, h.services.events, permit=h.services.config.set_permitjoin, flush_interval=0.05
    )
    await service.load()
    service.start()
    h.services.sensors = service
    key = await h.new_key()
    events = h.services.events.subscribe()
    try:
        async with running_server(h.app) as base, httpx.AsyncClient(base_url=base) as http:
            yield Api(h, service, http, key, events)
    finally:
        await service.stop()
        await h.client.aclose()
        await h.store.close()


async def test_no_sensors_is_an_empty_object(sqlite_url):
    async with api(sqlite_url) as a:
        r = await a.http.get(a.url())
        assert (r.status_code, r.json()) == (200, {})
        assert r.headers["content-type"] == "application/json"


async def test_create_clip_flag_then_set_its_state(database_url):
    async with api(database_url) as a:
        sid = await a.create()
        body = (await a.http.get(a.url(f"/{sid}"))).json()
        assert body["type"] == "CLIPGenericFlag" and body["name"] == "Away"
        assert body["state"] == {"flag": False, "lastupdated": "none"}
        assert body["config"] == {"on": True, "reachable": True}
        assert (await a.events.get())["e"] == "added"
        r = await a.http.put(a.url(f"/{sid}/state"), json={"flag": True})
        assert r.json() == [{"success": {f"/sensors/{sid}/state/flag": True}}]
        state = (await a.http.get(a.url(f"/{sid}"))).json()["state"]
        assert state["flag"] is True and TIME.fullmatch(state["lastupdated"])
        event = await a.events.get()
        assert (event["r"], event["e"], event["id"]) == ("sensors", "changed", sid)
        assert event["state"]["flag"] is True


async def test_clip_status_takes_integers_only(sqlite_url):
    async with api(sqlite_url) as a:
        sid = await a.create(type="CLIPGenericStatus", uniqueid="status-1", state={"status": 3})
        assert (await a.http.get(a.url(f"/{sid}"))).json()["state"]["status"] == 3
        r = await a.http.put(a.url(f"/{sid}/state"), json={"status": "high"})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 7
        assert (await a.http.get(a.url(f"/{sid}"))).json()["state"]["status"] == 3


async def test_create_refuses_bad_bodies_and_creates_nothing(sqlite_url):
    async with api(sqlite_url) as a:
        await a.create()
        cases = [
            ({k: v for k, v in FLAG.items() if k != "modelid"}, 5),
            ({**FLAG, "uniqueid": "x2", "type": "ZHASwitch"}, 7),
            ({**FLAG}, 7),  # the uniqueid is taken
            ({**FLAG, "uniqueid": "x3", "state": {"flag": 1}}, 7),
            ({**FLAG, "uniqueid": "x4", "state": {"colour": "red"}}, 6),
            ({**FLAG, "uniqueid": "x5", "config": {"battery": 101}}, 7),
            ({**FLAG, "uniqueid": "x6", "name": ""}, 7),
            ({**FLAG, "uniqueid": "x7", "extra": 1}, 6),
        ]
        for body, error in cases:
            r = await a.http.post(a.url(), json=body)
            assert r.status_code == 400, body
            assert r.json()[0]["error"]["type"] == error, (body, r.json())
        r = await a.http.post(a.url(), content=b"{not json")
        assert r.json()[0]["error"]["type"] == 2
        assert list((await a.http.get(a.url())).json()) == ["1"]


async def test_search_opens_the_network_and_lists_no_new_sensors_yet(sqlite_url):
    async with api(sqlite_url) as a:
        assert (await a.http.get(a.url("/new"))).json() == {"lastscan": "none"}
        r = await a.http.post(a.url())
        assert r.json() == [{"success": {"/sensors": "Searching for new devices"}}]
        assert (await a.http.get(a.url("/new"))).json() == {"lastscan": "active"}
        assert ("permit_join", 60) in a.harness.services.config.network.calls


async def test_search_without_a_radio_is_503(sqlite_url):
    async with api(sqlite_url) as a:
        a.harness.services.sensors = SensorsService(a.harness.store, a.harness.services.events)
        r = await a.http.post(a.url())
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950


async def test_zigbee_sensor_state_is_not_modifiable(sqlite_url):
    async with api(sqlite_url) as a:
        sensor = await a.service.discovered(MOTION, may_add=True)
        assert sensor is not None
        r = await a.http.put(a.url(f"/{sensor.rid}/state"), json={"presence": True})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 8
        assert a.service.get(sensor.rid).state["presence"] is False


async def test_config_is_validated_as_a_whole(sqlite_url):
    async with api(sqlite_url) as a:
        sensor = await a.service.discovered(MOTION, may_add=True)
        assert sensor is not None
        base = f"/{sensor.rid}/config"
        for body, error in (
            ({"on": False, "reachable": False}, 8),  # comes from the device
            ({"on": False, "battery": 50}, 8),
            ({"on": False, "sensitivity": 3}, 7),  # sensitivitymax is 2
            ({"on": False, "duration": -1}, 7),
            ({"on": False, "colour": 1}, 6),
            ({"on": "no"}, 7),
            ({}, 5),
        ):
            r = await a.http.put(a.url(base), json=body)
            assert r.status_code == 400, body
            assert r.json()[0]["error"]["type"] == error, (body, r.json())
        assert a.service.get(sensor.rid).config["on"] is True
        r = await a.http.put(a.url(base), json={"sensitivity": 1, "on": False})
        assert r.json() == [
            {"success": {f"/sensors/{sensor.rid}/config/sensitivity": 1}},
            {"success": {f"/sensors/{sensor.rid}/config/on": False}},
        ]
        config = (await a.http.get(a.url(f"/{sensor.rid}"))).json()["config"]
        assert (config["sensitivity"], config["on"]) == (1, False)


async def test_switched_off_sensor_ignores_readings(sqlite_url):
    from gateway.domain.sensors import SensorReading

    async with api(sqlite_url) as a:
        sensor = await a.service.discovered(MOTION, may_add=True)
        assert sensor is not None
        await a.http.put(a.url(f"/{sensor.rid}/config"), json={"on": False})
        a.service.reading(SensorReading(sensor.uniqueid, {"presence": True}))
        assert a.service.get(sensor.rid).state["presence"] is False


async def test_rename_delete_and_ids_are_never_reused(sqlite_url):
    async with api(sqlite_url) as a:
        first = await a.create()
        r = await a.http.put(a.url(f"/{first}"), json={"name": "Holiday"})
        assert r.json() == [{"success": {f"/sensors/{first}/name": "Holiday"}}]
        r = await a.http.put(a.url(f"/{first}"), json={"name": "x" * 33})
        assert r.json()[0]["error"]["type"] == 7
        r = await a.http.delete(a.url(f"/{first}"))
        assert r.json() == [{"success": {"id": first}}]
        r = await a.http.get(a.url(f"/{first}"))
        assert r.status_code == 404
        assert r.json()[0]["error"] == {
            "type": 3,
            "address": f"/sensors/{first}",
            "description": f"resource, /sensors/{first}, not available",
        }
        second = await a.create()
        assert int(second) > int(first)


async def test_full_state_and_restart_keep_sensors(sqlite_url):
    async with api(sqlite_url) as a:
        sid = await a.create()
        await a.http.put(a.url(f"/{sid}/state"), json={"flag": True})
        sensor = await a.service.discovered(MOTION, may_add=True)
        assert sensor is not None
        full = (await a.http.get(f"/api/{a.key}")).json()
        sensors = (await a.http.get(a.url())).json()
        assert full["sensors"] == sensors and len(sensors) == 2
        h = a.harness
        await a.service.stop()
        await h.client.aclose()
        await h.store.close()
        restarted = await build_harness(sqlite_url)
        async with api(sqlite_url, restarted) as b:
            b.key = a.key
            assert (await b.http.get(b.url())).json() == sensors
