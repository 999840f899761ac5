"""Fuzz the Hue v1 ``/scenes`` operations from their OpenAPI description, through a real
uvicorn socket, with the groups and scenes services over a fake radio (path ids steered
to an existing scene half of the time so that bodies reach the handlers); and the scene
id parser as a property."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.api.deconz.hue_scene_routes import HUE_SCENE_ROUTES
from gateway.api.deconz.routes import ROUTES
from gateway.api.openapi import build_openapi
from gateway.domain.groups.scenes import split_hue_id
from tests.groups.fakes import groups_rig
from tests.helpers.servers import ServerThread

OPERATIONS = {r.path for r in HUE_SCENE_ROUTES}
schema = schemathesis.openapi.from_dict(build_openapi(ROUTES)).include(
    path_regex="|".join("^" + re.escape(p) + "$" for p in OPERATIONS)
)
EXISTING = {"id": "1-1", "lid": "1"}


@contextlib.asynccontextmanager
async def app_with_a_scene(url: str, keys: list[str]) -> AsyncIterator[Any]:
    async with groups_rig(url) as rig:
        await rig.client.post(rig.url("/groups"), json={"name": "g", "lights": ["1", "2"]})
        await rig.client.post(rig.url("/scenes"), json={"name": "s", "group": "1"})
        keys.append(rig.lights.key)
        yield rig.lights.h.app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    path: Path = tmp_path_factory.mktemp("hue-scenes-fuzz") / "gateway.db"
    keys: list[str] = []
    with ServerThread(lambda: app_with_a_scene(f"sqlite:///{path}", keys)) as srv:
        srv.key = keys[0]  # type: ignore[attr-defined]
        yield srv


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_scene_operations_answer_documented_json_never_a_server_error(case, server):
    case.path_parameters["apikey"] = server.key
    for name, value in EXISTING.items():
        if name in case.path_parameters and hash(str(case.body)) % 2 == 0:
            case.path_parameters[name] = value
    response = case.call(base_url=server.base)
    documented = {int(s) for s in case.operation.definition.raw["responses"]}
    status = response.status_code
    assert status < 500 or status == 503, f"{status}: {response.text[:300]}"
    assert status in documented | {400, 405}, f"undocumented {status}: {response.text[:300]}"
    if status != 304:
        body = json.loads(response.text)
        if status >= 400:
            assert isinstance(body, list) and body and "error" in body[0]


@given(st.integers(0, 0xFFFF), st.integers(0, 255))
def test_a_hue_scene_id_names_its_group_and_scene(gid, sid):
    assert split_hue_id(f"{gid}-{sid}") == (gid, sid)


@given(st.text(max_size=12))
def test_any_other_text_is_no_scene_id_or_its_one_spelling(text):
    parsed = split_hue_id(text)
    assert parsed is None or f"{parsed[0]}-{parsed[1]}" == text
