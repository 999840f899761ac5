"""Fuzz the deCONZ API from its own OpenAPI description, through a real uvicorn socket.

Schemathesis generates requests (valid and invalid bodies, odd path parameters) for every
operation ``/openapi.json`` describes; whatever it sends, the gateway must answer with a
status the description documents, in JSON, and never with a server error. Where the
request schemas are exact (``EXACT_SCHEMAS``), valid data must be accepted and invalid data
refused (400): the description is no looser and no stricter than the server.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from gateway.api.deconz.routes import CONFIG_ROUTES, LIGHT_ROUTES, ROUTES, TOUCHLINK_ROUTES
from gateway.api.deconz.sensor_routes import SENSOR_ROUTES
from gateway.api.openapi import build_openapi
from gateway.domain.sensors import DiscoveredSensor, SensorsService
from gateway.domain.sensors.settings import writable_config
from gateway.domain.sensors.types import CLIP_TYPES, TYPES
from tests.helpers.fakes import FakeNetwork
from tests.helpers.fuzzing import blank_optional_body
from tests.helpers.harness import build_harness
from tests.helpers.servers import ServerThread

schema = schemathesis.openapi.from_dict(build_openapi(ROUTES))
OBSERVED: dict[str, set[int]] = {}
NEGATIVE_CHECKED: dict[str, int] = {}
THROWAWAY = itertools.count()
# Operations whose request schemas are exactly what their handlers take (issue 12): a body
# they allow is accepted, one they refuse is a 400 (schemathesis' positive and negative
# data); for the sensors, given the sensor the body is meant for (``_sensor_for``).
EXACT_SCHEMAS = {
    r.path for r in [*CONFIG_ROUTES, *LIGHT_ROUTES, *TOUCHLINK_ROUTES, *SENSOR_ROUTES]
} - {"/api/{apikey}/config/password"}
MOTION = DiscoveredSensor(
    "00:17:88:01:5e:00:00:03", 2, 0x0406, "ZHAPresence", "Philips", "SML001", "1",
    config={"battery": 90, "duration": 60, "sensitivity": 2, "sensitivitymax": 2},
)  # fmt: skip


@dataclass
class FuzzTarget:
    """What the fuzzer needs of the server: its key and the sensors it holds."""

    key: str = ""
    # id -> (type, the config parameters a client may set on it, with kind and range)
    sensors: dict[str, tuple[str, dict[str, tuple[type, int, int]]]] = field(default_factory=dict)


async def _with_sensors(h: Any, target: FuzzTarget) -> SensorsService:
    """One CLIP sensor of each type and a Zigbee motion sensor with device settings."""
    sensors = SensorsService(h.store, h.services.events, permit=h.services.config.set_permitjoin)
    await sensors.load()
    for n, sensor_type in enumerate(CLIP_TYPES):
        await sensors.create_clip(
            type=sensor_type, name=f"clip {n}", uniqueid=f"fixture-clip-{n}", manufacturer="m",
            model="m", swversion="1", state={}, config={},
        )  # fmt: skip
    await sensors.discovered(MOTION, may_add=True)
    for sensor in sensors.all():
        allowed = {p.name: (p.kind, p.lo, p.hi) for p in writable_config(sensor).values()}
        target.sensors[sensor.rid] = (sensor.type, allowed)
    h.services.sensors = sensors
    return sensors


@contextlib.asynccontextmanager
async def deconz_app(url: str, target: FuzzTarget) -> AsyncIterator[Any]:
    """The deCONZ API over a real store and sensors, with one API key for the fuzzer."""
    h = await build_harness(url, network=FakeNetwork())
    sensors = await _with_sensors(h, target)
    target.key = await h.new_key("fuzzer#1")
    try:
        yield h.app
    finally:
        await sensors.stop()
        await h.client.aclose()
        await h.store.close()


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    # The database in memory where the system has a tmpfs: the fuzz checks answers, not
    # durability, and a synchronous=FULL commit per created sensor was most of its time.
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as scratch:
        path = Path(scratch) / "gateway.db"
        target = FuzzTarget()
        with (
            ServerThread(lambda: deconz_app(f"sqlite:///{path}", target)) as srv,
            httpx.Client(base_url=srv.base) as http,  # one client: a new one costs ~50 ms
        ):
            srv.key = target.key  # type: ignore[attr-defined]
            srv.target = target  # type: ignore[attr-defined]
            srv.http = http  # type: ignore[attr-defined]
            yield srv


def _fits(value: Any, kind: type, lo: int, hi: int) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _sensor_for(case: Any, target: FuzzTarget) -> str:
    """The fixture sensor a generated body is meant for: the CLIP sensor of the type whose
    state fields it names, or a sensor that takes every config parameter it names."""
    body = case.body if isinstance(case.body, dict) else {}
    fallback = next(iter(target.sensors))
    if case.path.endswith("/state"):
        for rid, (sensor_type, _) in target.sensors.items():
            names = {f.name for f in TYPES[sensor_type].state}
            if sensor_type in CLIP_TYPES and body and set(body) <= names:
                return rid
    if case.path.endswith("/config"):
        takers = [rid for rid, (_, allowed) in target.sensors.items() if set(body) <= set(allowed)]
        for rid in takers:
            allowed = target.sensors[rid][1]
            if all(_fits(v, *allowed[k]) for k, v in body.items()):
                return rid
        if body and takers:
            return takers[0]  # the right sensor for a wrong value
    return fallback


def _throwaway_sensor(server: Any) -> str:
    """A CLIP sensor for DELETE to remove, so the fixture sensors stay."""
    r = server.http.post(
        f"/api/{server.key}/sensors",
        json={
            "name": "throwaway", "modelid": "m", "swversion": "1", "type": "CLIPGenericFlag",
            "uniqueid": f"throwaway-{next(THROWAWAY)}", "manufacturername": "m",
        },
    )  # fmt: skip
    assert r.status_code == 200, r.text
    return str(r.json()[0]["success"]["id"])


def _forget_created(server: Any, response: Any) -> None:
    """Delete a CLIP sensor the fuzzer created, so its uniqueid may come again."""
    if response.status_code == 200:
        answer = json.loads(response.text)
        created = answer[0].get("success", {}).get("id") if answer else None
        if created:
            server.http.delete(f"/api/{server.key}/sensors/{created}")


def test_the_served_description_is_the_one_fuzzed(server):
    served = httpx.get(f"{server.base}/openapi.json").json()
    assert served == json.loads(json.dumps(build_openapi(ROUTES)))


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_documented_json_never_a_server_error(case, server):
    if "apikey" in case.path_parameters:
        case.path_parameters["apikey"] = server.key
    if case.path.startswith("/api/{apikey}/sensors/{id}"):
        case.path_parameters["id"] = (
            _throwaway_sensor(server)
            if case.method == "DELETE"
            else _sensor_for(case, server.target)
        )
    response = case.call(base_url=server.base)
    if case.method == "POST" and case.path == "/api/{apikey}/sensors":
        _forget_created(server, response)
    # Not checkable for config/password: newhash must be base64 of
    # "<the stored user>:<password>", which JSON Schema cannot say.
    if case.path in EXACT_SCHEMAS:
        checks = [positive_data_acceptance, negative_data_rejection]
        if blank_optional_body(case, response):  # POST /sensors: read as no body (a search)
            checks = [positive_data_acceptance]
            assert response.status_code != 400, response.text
        case.validate_response(response, checks=checks)
        if case.meta is not None and case.meta.generation.mode.is_negative:
            op = f"{case.method} {case.path}"
            NEGATIVE_CHECKED[op] = NEGATIVE_CHECKED.get(op, 0) + 1
    documented = {int(s) for s in case.operation.definition.raw["responses"]}
    status = response.status_code
    OBSERVED.setdefault(f"{case.method} {case.path}", set()).add(status)
    assert status < 500 or status == 503, f"{status}: {response.text[:300]}"
    assert status in documented | {400, 405}, f"undocumented {status}: {response.text[:300]}"
    if status != 304:
        content_type = response.headers["content-type"]  # schemathesis keeps header lists
        assert content_type[0].startswith("application/json")
        body = json.loads(response.text)
        if status >= 400:
            assert isinstance(body, list) and body and "error" in body[0]


def test_the_description_says_which_bodies_may_be_left_out():
    # Each of these handlers takes a request without a body (deCONZ clients send none):
    # a description that required one would be stricter than the server.
    paths = build_openapi(ROUTES)["paths"]
    optional = {
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        and "requestBody" in operation
        and not operation["requestBody"]["required"]
    }
    assert optional == {
        "DELETE /api/{apikey}/lights/{id}",
        "POST /api/{apikey}/sensors",
        "PUT /api/{apikey}/groups/{id}/scenes/{sid}/recall",
    }


def test_a_blank_sensors_post_is_a_search_as_the_fuzz_assumes(server):
    searched = server.http.post(f"/api/{server.key}/sensors")
    assert searched.status_code == 200, searched.text
    for body in (b"", b"\n", b" \r\n\t"):
        r = server.http.post(
            f"/api/{server.key}/sensors", content=body, headers={"content-type": "application/json"}
        )
        assert (r.status_code, r.json()) == (200, searched.json()), (body, r.text)


def test_the_fuzzer_reached_every_operation_and_provoked_validation_errors():
    """Runs after the fuzz test (file order): guards against a fuzzer that tests nothing."""
    documented = {f"{m} {r.path}" for r in ROUTES for m in r.methods}
    assert documented <= set(OBSERVED), "the fuzz test must run first, in the same session"
    # Schemathesis also tries methods a path does not have: those must be refused.
    undocumented_methods = set(OBSERVED) - documented
    assert undocumented_methods, "no negative (wrong method) cases were generated"
    for op in undocumented_methods:
        assert OBSERVED[op] <= {404, 405}, (op, OBSERVED[op])
    with_bodies = [op for op in OBSERVED if op.startswith(("PUT", "POST"))]
    assert any(400 in OBSERVED[op] for op in with_bodies)
    assert any(200 in statuses for statuses in OBSERVED.values())
    # The sensors were there: bodies reached their validation, both ways.
    for path in ("/sensors", "/sensors/{id}", "/sensors/{id}/config", "/sensors/{id}/state"):
        op = f"{'POST' if path == '/sensors' else 'PUT'} /api/{{apikey}}{path}"
        assert {200, 400} <= OBSERVED[op], (op, OBSERVED[op])
        assert NEGATIVE_CHECKED.get(op, 0) > 0, (op, NEGATIVE_CHECKED)
    assert NEGATIVE_CHECKED.get("PUT /api/{apikey}/config", 0) > 0, NEGATIVE_CHECKED
