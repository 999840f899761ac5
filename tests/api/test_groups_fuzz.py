"""Fuzz the groups and group-scenes operations (``GROUP_ROUTES``) strictly, from the OpenAPI
description the server serves, through a real uvicorn socket.

As ``test_openapi_fuzz.py`` does for config, lights and sensors: whatever schemathesis
sends, the answer is a documented status, in JSON, never a server error; and, because
the request schemas are exact, a body the schema allows is accepted (not 400) and one it
refuses is a 400 (``positive_data_acceptance``, ``negative_data_rejection``).

The server holds real groups and scenes services over a fake radio
(``tests.groups.fakes.groups_rig``): three lamps, group 1 (lamps 1 and 2) with scene 1
for the actions and scenes, group 2 for attribute changes, so that a rename or a new
member list cannot take a lamp out of the group the scene operations use. Path ids are
steered to those (to throw-away groups and scenes for DELETE), and so are the ids inside
bodies that must name something that exists (``lights``, ``lightsequence``, ``scene``):
JSON Schema can say what an id looks like, not which ones the gateway holds. A value is
steered only where it already fits its schema, so negative cases stay negative.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft4Validator
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from gateway.api.deconz.group_routes import GROUP_ROUTES
from gateway.api.deconz.routes import ROUTES
from gateway.api.openapi import build_openapi
from tests.groups.fakes import groups_rig
from tests.helpers.fuzzing import blank_optional_body
from tests.helpers.servers import ServerThread

OPERATIONS = {r.path for r in GROUP_ROUTES}
schema = schemathesis.openapi.from_dict(build_openapi(ROUTES)).include(
    path_regex="|".join("^" + re.escape(p) + "$" for p in OPERATIONS)
)
OBSERVED: dict[str, set[int]] = {}
NEGATIVE_CHECKED: dict[str, int] = {}
THROWAWAY = itertools.count()
LIGHTS = ("1", "2", "3")
SCENES_GROUP, SCENE, MEMBER = "1", "1", "1"  # group 1 holds lamps 1 and 2, and scene 1
ATTRIBUTES_GROUP = "2"  # PUT /groups/{id} changes this one
FIXTURE_GROUPS = {"0", SCENES_GROUP, ATTRIBUTES_GROUP}
GROUP = "/api/{apikey}/groups/{id}"
SCENE_PATH = GROUP + "/scenes/{sid}"


@contextlib.asynccontextmanager
async def app_with_groups(url: str, keys: list[str]) -> AsyncIterator[Any]:
    async with groups_rig(url) as rig:
        for body in (
            {"name": "scenes", "lights": ["1", "2"]},
            {"name": "attributes", "lights": ["2", "3"]},
        ):
            r = await rig.client.post(rig.url("/groups"), json=body)
            assert r.status_code == 200, r.text
        r = await rig.client.post(rig.url(f"/groups/{SCENES_GROUP}/scenes"), json={"name": "s"})
        assert r.json() == [{"success": {"id": SCENE}}], r.text
        keys.append(rig.lights.key)
        yield rig.lights.h.app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    # The database in memory where the system has a tmpfs: the fuzz checks answers, not
    # durability (as test_openapi_fuzz.py).
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as scratch:
        url = f"sqlite:///{Path(scratch) / 'gateway.db'}"
        keys: list[str] = []
        with (
            ServerThread(lambda: app_with_groups(url, keys)) as srv,
            httpx.Client(base_url=srv.base) as http,
        ):
            srv.key = keys[0]  # type: ignore[attr-defined]
            srv.http = http  # type: ignore[attr-defined]
            yield srv


def _created_id(server: Any, path: str, body: dict[str, Any]) -> str:
    r = server.http.post(f"/api/{server.key}{path}", json=body)
    assert r.status_code == 200, r.text
    return str(r.json()[0]["success"]["id"])


def _throwaway_group(server: Any) -> str:
    """A group for DELETE to remove, so the fixture groups stay."""
    return _created_id(server, "/groups", {"name": f"throwaway {next(THROWAWAY)}"})


def _throwaway_scene(server: Any) -> str:
    """A scene of group 1 for DELETE to remove, so scene 1 stays."""
    path = f"/groups/{SCENES_GROUP}/scenes"
    return _created_id(server, path, {"name": f"throwaway {next(THROWAWAY)}"})


def _steer_path(case: Any, server: Any) -> None:
    params = case.path_parameters
    params["apikey"] = server.key
    if "id" in params:
        if case.path == GROUP and case.method == "DELETE":
            params["id"] = _throwaway_group(server)
        elif case.path == GROUP and case.method == "PUT":
            params["id"] = ATTRIBUTES_GROUP
        else:
            params["id"] = SCENES_GROUP
    if "sid" in params:
        deleting = case.path == SCENE_PATH and case.method == "DELETE"
        params["sid"] = _throwaway_scene(server) if deleting else SCENE
    if "lid" in params:
        params["lid"] = MEMBER


def _fits(case: Any, name: str) -> bool:
    """Whether the body's ``name`` is valid by the operation's own schema for it."""
    properties = case.operation.definition.raw["requestBody"]["content"]["application/json"]
    schema_of = properties["schema"]["properties"].get(name)
    return schema_of is not None and Draft4Validator(schema_of).is_valid(case.body[name])


def _steer_body(case: Any, server: Any) -> None:
    """Ids in the body that fit their schema are made to name what exists."""
    body = case.body
    if not isinstance(body, dict):
        return
    if "lights" in body and _fits(case, "lights"):
        body["lights"] = [LIGHTS[len(v) % len(LIGHTS)] for v in body["lights"]]
    if "lightsequence" in body and _fits(case, "lightsequence"):
        if "lights" in body and _fits(case, "lights"):
            members = list(dict.fromkeys(body["lights"]))
        else:
            group = server.http.get(f"/api/{server.key}/groups/{case.path_parameters['id']}")
            members = group.json()["lights"]
        turn = len(body["lightsequence"]) % max(len(members), 1)
        body["lightsequence"] = members[turn:] + members[:turn]
    if "scene" in body and _fits(case, "scene"):
        body["scene"] = SCENE


def _forget_created(server: Any, case: Any, response: Any) -> None:
    """Delete a group or scene the fuzzer created (not a fixture one a name found again)."""
    if case.method != "POST" or response.status_code != 200:
        return
    created = str(json.loads(response.text)[0]["success"]["id"])
    if case.path == "/api/{apikey}/groups" and created not in FIXTURE_GROUPS:
        server.http.delete(f"/api/{server.key}/groups/{created}")
    elif case.path == GROUP + "/scenes" and created != SCENE:
        server.http.delete(f"/api/{server.key}/groups/{SCENES_GROUP}/scenes/{created}")


# 60 examples per operation: ~20 s for the file on a quiet 2-core machine (300 took ~85 s
# and found nothing these did not).
@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_group_operations_take_exactly_what_their_schemas_allow(case, server):
    _steer_path(case, server)
    _steer_body(case, server)
    response = case.call(base_url=server.base)
    _forget_created(server, case, response)
    checks = [positive_data_acceptance, negative_data_rejection]
    if blank_optional_body(case, response):
        # The gateway reads a blank body as none (json_body.parse_json, for every route),
        # which an optional body allows; schemathesis sends blank "random bytes" as
        # malformed JSON. Answered as without a body, then.
        checks = [positive_data_acceptance]
        assert response.status_code == 200, response.text
    case.validate_response(response, checks=checks)
    op = f"{case.method} {case.path}"
    if case.meta is not None and case.meta.generation.mode.is_negative:
        NEGATIVE_CHECKED[op] = NEGATIVE_CHECKED.get(op, 0) + 1
    documented = {int(s) for s in case.operation.definition.raw["responses"]}
    status = response.status_code
    OBSERVED.setdefault(op, set()).add(status)
    assert status < 500 or status == 503, f"{status}: {response.text[:300]}"
    assert status in documented | {400, 405}, f"undocumented {status}: {response.text[:300]}"
    if status != 304:
        assert response.headers["content-type"][0].startswith("application/json")
        body = json.loads(response.text)
        if status >= 400:
            assert isinstance(body, list) and body and "error" in body[0]


def test_a_blank_recall_body_is_taken_as_none_as_the_fuzz_assumes(server):
    recall = f"/api/{server.key}/groups/{SCENES_GROUP}/scenes/{SCENE}/recall"
    for body in (b"", b"\n", b" \r\n\t", b"{}"):
        r = server.http.put(recall, content=body, headers={"content-type": "application/json"})
        assert r.json() == [{"success": {"id": SCENE}}], (body, r.text)
    r = server.http.put(recall, content=b"\n.", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()[0]["error"]["type"] == 2


def test_the_fuzzer_reached_every_operation_and_provoked_validation_errors():
    """Runs after the fuzz test (file order): guards against a fuzzer that tests nothing."""
    documented = {f"{m} {r.path}" for r in GROUP_ROUTES for m in r.methods}
    assert documented <= set(OBSERVED), "the fuzz test must run first, in the same session"
    for op in set(OBSERVED) - documented:  # methods a path does not have
        assert OBSERVED[op] <= {404, 405}, (op, OBSERVED[op])
    for op in documented:
        assert 200 in OBSERVED[op], (op, OBSERVED[op])
    with_bodies = {
        f"{m} {r.path}"
        for r in GROUP_ROUTES
        for m, operation in r.methods.items()
        if operation.request_schema is not None
    }
    # POST /groups, PUT /groups/{id}, .../action, POST and PUT scenes, .../recall, light state
    assert len(with_bodies) == 7, with_bodies
    for op in with_bodies:
        assert {200, 400} <= OBSERVED[op], (op, OBSERVED[op])
        assert NEGATIVE_CHECKED.get(op, 0) > 0, (op, NEGATIVE_CHECKED)
