"""Fuzz the deCONZ API from its own OpenAPI description, through a real uvicorn socket.

Schemathesis generates requests (valid and invalid bodies, odd path parameters) for every
operation ``/openapi.json`` describes; whatever it sends, the gateway must answer with a
status the description documents, in JSON, and never with a server error.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gateway.api.deconz.routes import ROUTES
from gateway.api.openapi import build_openapi
from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import build_harness
from tests.helpers.servers import running_server

schema = schemathesis.openapi.from_dict(build_openapi(ROUTES))
OBSERVED: dict[str, set[int]] = {}


class ServerThread:
    """The gateway API on uvicorn in a thread of its own (schemathesis calls are blocking)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.base = ""
        self.key = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        h = await build_harness(self.url, network=FakeNetwork())
        self.key = await h.new_key("fuzzer#1")
        async with running_server(h.app) as base:
            self.base = base
            self._ready.set()
            await self._stop.wait()
        await h.client.aclose()
        await h.store.close()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(30), "server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "gateway.db"
    with ServerThread(f"sqlite:///{path}") as srv:
        yield srv


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
    response = case.call(base_url=server.base)
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
