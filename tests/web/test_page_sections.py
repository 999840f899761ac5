"""The views for sections other engineers are building (groups with scenes, sensors,
bindings), in the browser against a fake API that answers the deCONZ shapes.

A unit test with a faked collaborator, on purpose: those resources do not exist in the
gateway yet (they answer error 3, which test_page.py checks hides the tabs). This checks
the other half: when they do answer, the page shows them and sends deCONZ requests.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.api.web import web_routes
from tests.helpers.servers import ServerThread, free_port
from tests.web.browser import console_errors, find, finds, start_browser, visible, wait_for

KEY = "FAKEKEY0123456789"
CLOSED_PORT = free_port()  # the page's live socket finds nobody there and keeps retrying

CONFIG = {
    "name": "Fake",
    "rfconnected": True,
    "websocketport": CLOSED_PORT,
    "zigbeechannel": 11,
    "permitjoin": 0,
    "whitelist": {},
    "linkbutton": False,
}
GROUPS = {
    "1": {
        "name": "Living room",
        "lights": ["1", "2"],
        "type": "Room",
        "state": {"any_on": True, "all_on": False},
        "action": {"on": True, "bri": 200},
    }
}
SENSORS = {
    "5": {
        "name": "Hall motion",
        "type": "ZHAPresence",
        "state": {"presence": True, "lastupdated": "2026-12-02T15:00:00"},
        "config": {"battery": 87, "reachable": True},
    },
    "6": {"name": "Bedroom", "type": "ZHATemperature", "state": {"temperature": 2150}},
    "7": {"name": "Door switch", "type": "ZHASwitch", "state": {"buttonevent": 1002}},
}
BINDINGS = {"1": {"zigbee": "/lights/1", "knx": "1/0/1", "direction": "both"}}


def fake_api(received: list[tuple[str, str, Any]]) -> Starlette:
    async def answer(request: Request) -> JSONResponse:
        path = "/" + request.path_params["rest"]
        body = json.loads(await request.body() or b"null")
        received.append((request.method, path, body))
        if request.path_params["key"] != KEY:
            return JSONResponse(
                [{"error": {"type": 1, "address": path, "description": "unauthorized user"}}], 403
            )
        if request.method != "GET":
            return JSONResponse([{"success": {path: "ok"}}])
        found = {
            "/config": CONFIG,
            "/lights": {},
            "/groups": GROUPS,
            "/groups/1/scenes": {"3": {"name": "Evening"}},
            "/sensors": SENSORS,
            "/bindings": BINDINGS,
        }.get(path)
        if found is None:
            error = {"type": 3, "address": path, "description": f"resource, {path}, not available"}
            return JSONResponse([{"error": error}], 404)
        return JSONResponse(found)

    routes = [
        *web_routes(lambda host, port: b"<root/>"),
        Route("/api/{key}/{rest:path}", answer, methods=["GET", "PUT", "POST", "DELETE"]),
    ]
    return Starlette(routes=routes)


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, list[tuple[str, str, Any]]]]:
    received: list[tuple[str, str, Any]] = []

    @contextlib.asynccontextmanager
    async def make():
        yield fake_api(received)

    with ServerThread(make) as server:
        yield server.base, received


@pytest.fixture(scope="module")
def browser(site):
    base, _ = site
    driver = start_browser()
    try:
        driver.get(base + "/")
        driver.execute_script("localStorage.setItem('gateway.apikey', arguments[0])", KEY)
        driver.get(base + "/")
        yield driver
    finally:
        driver.quit()


def test_sections_that_answer_get_their_tabs_and_knx_that_does_not_stays_hidden(browser):
    for view in ("groups", "sensors", "bindings"):
        wait_for(
            f"the {view} tab", lambda view=view: visible(browser, f"#tabs a[data-view={view}]")
        )
    assert not find(browser, "#tabs a[data-view=knx]").is_displayed()
    assert not find(browser, "#chip-knx").is_displayed()


def test_groups_switch_and_recall_scenes_with_deconz_requests(browser, site):
    _, received = site
    browser.execute_script("location.hash = 'groups'")
    card = wait_for("the group", lambda: visible(browser, ".group[data-id='1']"))
    assert "Living room" in card.text and "2 lights" in card.text
    scene = wait_for(
        "the scene button", lambda: card.find_element(By.XPATH, ".//button[text()='Evening']")
    )
    scene.click()
    wait_for("the recall", lambda: ("PUT", "/groups/1/scenes/3/recall", {}) in received)
    card.find_element(By.CSS_SELECTOR, "input.switch").click()
    wait_for("the action", lambda: ("PUT", "/groups/1/action", {"on": False}) in received)


def test_sensors_show_readings_in_words_and_units(browser):
    browser.execute_script("location.hash = 'sensors'")
    wait_for("the sensors", lambda: len(finds(browser, "#sensor-list tbody tr")) == 3)
    states = {
        r.get_attribute("data-id"): r.find_element(By.CSS_SELECTOR, ".state").text
        for r in finds(browser, "#sensor-list tbody tr")
    }
    assert states == {
        "5": "presence detected · battery 87 %",
        "6": "21.5 °C",
        "7": "button 1 short release",
    }


def test_bindings_are_listed(browser):
    browser.execute_script("location.hash = 'bindings'")
    table = wait_for("the bindings", lambda: visible(browser, "#binding-list table"))
    assert "1/0/1" in table.text and "/lights/1" in table.text
    errors = [e for e in console_errors(browser) if "Failed to load resource" not in e]
    assert errors == []
