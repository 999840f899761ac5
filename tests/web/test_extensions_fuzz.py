"""Fuzz our KNX and backup extensions from their own OpenAPI description, through uvicorn:
whatever arrives, a documented status, deCONZ error lists, never a server error."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.backup import BACKUP_ROUTES
from gateway.api.deconz.knx_status import KNX_ROUTES
from gateway.api.deconz.routes import ROUTES
from gateway.api.openapi import build_openapi
from gateway.backup import BackupService
from tests.helpers.harness import build_harness
from tests.helpers.servers import ServerThread

EXTENSIONS = [*KNX_ROUTES, *BACKUP_ROUTES]
schema = schemathesis.openapi.from_dict(build_openapi(EXTENSIONS))


@contextlib.asynccontextmanager
async def app_with_extensions(state: Path, keys: list[str]) -> AsyncIterator[Any]:
    url = f"sqlite:///{state / 'gateway.db'}"
    h = await build_harness(url)
    h.services.backup = BackupService(state, url, state / "none.json", "fuzz")
    keys.append(await h.new_key("fuzzer#2"))
    try:
        yield build_deconz_app(h.services, routes=[*ROUTES, *EXTENSIONS])
    finally:
        await h.client.aclose()
        await h.store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    state = tmp_path_factory.mktemp("fuzz-extensions")
    keys: list[str] = []
    with ServerThread(lambda: app_with_extensions(state, keys)) as srv:
        srv.key = keys[0]  # type: ignore[attr-defined]
        yield srv


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_extension_operation_answers_documented_json_never_a_server_error(case, server):
    if "apikey" in case.path_parameters:
        case.path_parameters["apikey"] = server.key
    response = case.call(base_url=server.base)
    documented = {int(s) for s in case.operation.definition.raw["responses"]}
    status = response.status_code
    assert status < 500, f"{status}: {response.text[:300]}"
    assert status in documented | {400, 405}, f"undocumented {status}: {response.text[:300]}"
    content_type = response.headers["content-type"][0]
    if status >= 400:
        assert content_type.startswith("application/json")
        body = json.loads(response.text)
        assert isinstance(body, list) and body and "error" in body[0]
    elif case.path.endswith("/download"):
        assert content_type == "application/gzip"
