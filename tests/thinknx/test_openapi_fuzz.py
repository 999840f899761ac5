"""Fuzz the Thinknx API from its own OpenAPI paths, through a real uvicorn socket and the KNX
emulator: whatever schemathesis sends (GET queries, POST forms, odd strings, numbers in and
out of range), the answer is a documented status, in JSON, with the spec's error shape, and
never a server error.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from gateway.api.guessing import GuessThrottle
from gateway.api.thinknx.openapi import thinknx_paths
from gateway.api.thinknx.routes import ROUTES
from gateway.app.knx_side import build_thinknx, load_catalogue
from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection, ThinknxSection
from gateway.store import Store
from hil.emulators.knx import KnxEmulator, ServerOptions, default_devices
from hil.virtual_knx import VIRTUAL_CATALOGUE
from tests.helpers.servers import ServerThread
from tests.thinknx.conftest import FAST_KNX, PASSWORD, USER

DESCRIPTION = {
    "openapi": "3.0.3",
    "info": {"title": "Thinknx Integration Kit", "version": "test"},
    "paths": thinknx_paths(5051),
}
schema = schemathesis.openapi.from_dict(DESCRIPTION)
OBSERVED: dict[str, set[int]] = {}


@contextlib.asynccontextmanager
async def thinknx_app(db: Path) -> AsyncIterator[Any]:
    """Emulator, link, store and the Thinknx app, as the gateway assembles them."""
    store = Store(f"sqlite:///{db}")
    emulator = KnxEmulator(default_devices(), options=ServerOptions(heartbeat_timeout=60))
    await emulator.start()
    link = KnxLink(KnxSection(mode="tunnel_udp", gateway_host="127.0.0.1",
                              gateway_port=emulator.port, **FAST_KNX))  # fmt: skip
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    catalogues = await load_catalogue(store, VIRTUAL_CATALOGUE)
    stack = build_thinknx(
        link, store, ThinknxSection(feedback_timeout=0.2, rate_limit=0), catalogues
    )
    # The fuzzer sends wrong query credentials on purpose; guessing throttling (tested in
    # test_abuse_thinknx.py) would soon answer everything with 429 and hide the rest.
    stack.services.authenticator.throttle = GuessThrottle(
        "thinknx", free_failures=10**9, global_failures=10**9
    )
    try:
        yield stack.app
    finally:
        await stack.stop()
        await link.stop()
        await emulator.stop()
        await store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[ServerThread]:
    db = tmp_path_factory.mktemp("thinknx-fuzz") / "gateway.db"
    shutil.copy(template_db, db)
    with ServerThread(lambda: thinknx_app(db)) as srv:
        yield srv


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_documented_json_never_a_server_error(case, server):
    response = case.call(base_url=server.base, auth=(USER, PASSWORD), timeout=10)
    # The schema is as strict as the server: what it allows is never "params errors".
    case.validate_response(response, checks=[positive_data_acceptance])
    documented = {int(s) for s in case.operation.definition.raw["responses"]}
    status = response.status_code
    OBSERVED.setdefault(f"{case.method} {case.path}", set()).add(status)
    assert status != 500, response.text[:300]
    assert status in documented | {405}, f"undocumented {status}: {response.text[:300]}"
    assert response.headers["content-type"][0].startswith("application/json")
    body = json.loads(response.text)
    if status >= 400:
        assert set(body) == {"error"} and isinstance(body["error"], str)


def test_the_fuzzer_reached_every_operation_and_got_past_validation():
    """Runs after the fuzz test (file order): guards against a fuzzer that tests nothing."""
    documented = {f"{m} /api/V1/{r.path}" for r in ROUTES for m in ("GET", "POST")}
    assert documented <= set(OBSERVED), "the fuzz test must run first, in the same session"
    statuses = set().union(*OBSERVED.values())
    assert {200, 400} <= statuses
