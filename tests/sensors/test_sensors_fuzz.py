"""Fuzz the sensors endpoints from the OpenAPI description, through a real uvicorn socket,
with a sensors service that holds a CLIP sensor and a Zigbee sensor (ids 1 and 2), so the
generated bodies reach the real validation and not only "resource not available"."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gateway.api.deconz.routes import ROUTES
from gateway.api.openapi import build_openapi
from gateway.domain.sensors import DiscoveredSensor, SensorsService
from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import build_harness
from tests.helpers.servers import ServerThread

schema = schemathesis.openapi.from_dict(build_openapi(ROUTES)).include(path_regex="/sensors")
OBSERVED: dict[str, set[int]] = {}
MOTION = DiscoveredSensor(
    "00:17:88:01:5e:00:00:03", 2, 0x0406, "ZHAPresence", "Philips", "SML001", "1",
    config={"battery": 90, "duration": 60, "sensitivity": 2, "sensitivitymax": 2},
)  # fmt: skip


@contextlib.asynccontextmanager
async def sensors_app(url: str, keys: list[str]) -> AsyncIterator[Any]:
    h = await build_harness(url, network=FakeNetwork())
    sensors = SensorsService(h.store, h.services.events, permit=h.services.config.set_permitjoin)
    await sensors.load()
    await sensors.create_clip(
        type="CLIPGenericStatus", name="s", uniqueid="fuzz-1", manufacturer="m",
        model="m", swversion="1", state={}, config={},
    )  # fmt: skip
    await sensors.discovered(MOTION, may_add=True)
    h.services.sensors = sensors
    keys.append(await h.new_key("fuzzer#1"))
    try:
        yield h.app
    finally:
        await sensors.stop()
        await h.client.aclose()
        await h.store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "gateway.db"
    keys: list[str] = []
    with ServerThread(lambda: sensors_app(f"sqlite:///{path}", keys)) as srv:
        srv.key = keys[0]  # type: ignore[attr-defined]
        yield srv


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_sensor_operations_answer_documented_json_never_a_server_error(case, server):
    if "apikey" in case.path_parameters:
        case.path_parameters["apikey"] = server.key
    if "id" in case.path_parameters and case.method != "DELETE":
        case.path_parameters["id"] = "1" if len(str(case.path_parameters["id"])) % 2 else "2"
    response = case.call(base_url=server.base)
    documented = {int(s) for s in case.operation.definition.raw["responses"]}
    status = response.status_code
    OBSERVED.setdefault(f"{case.method} {case.path}", set()).add(status)
    assert status < 500 or status == 503, f"{status}: {response.text[:300]}"
    assert status in documented | {400, 405}, f"undocumented {status}: {response.text[:300]}"
    if status != 304:
        body = json.loads(response.text)
        if status >= 400:
            assert isinstance(body, list) and body and "error" in body[0]


def test_the_fuzzer_reached_the_sensors_and_provoked_both_answers():
    """Runs after the fuzz test (file order): guards against a fuzzer that tests nothing."""
    for op in ("PUT /api/{apikey}/sensors/{id}/config", "PUT /api/{apikey}/sensors/{id}/state"):
        assert {200, 400} <= OBSERVED[op], (op, OBSERVED.get(op))
