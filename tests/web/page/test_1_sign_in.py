"""Step 1: signing in gives the page an API key of its own; absent sections stay hidden."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.browser import find, screenshot, visible, wait_for
from tests.web.page.steps import sign_in

pytestmark = pytest.mark.timeout(300)


def test_sign_in_gives_the_page_a_key_of_its_own_and_hides_absent_sections(browser, rig, rest):
    browser.get(rig.url + "/")
    wait_for("the sign-in form", lambda: visible(browser, "#sign-in"))
    assert not find(browser, "#tabs").is_displayed()
    screenshot(browser, "sign-in")

    sign_in(browser, "wrong password")
    wait_for(
        "the wrong-password message",
        lambda: "Wrong name or password" in find(browser, "#sign-in-error").text,
    )
    sign_in(browser, rig.admin_password)
    wait_for("the tabs", lambda: visible(browser, "#tabs"))
    key = browser.execute_script("return localStorage.getItem('gateway.apikey')")
    assert re.fullmatch(r"[0-9A-Fa-f]{32}", key)
    # The page's own key works, and the gateway lists it by key id, never by key.
    assert httpx.get(f"{rig.url}/api/{key}/config").json()["name"]
    whitelist = rest.get("/config").json()["whitelist"]
    assert any(e["name"].startswith("gateway-page#") for e in whitelist.values())
    assert key not in browser.page_source
    assert rest.headers["x-key"] not in browser.page_source
    # A section's tab shows exactly when the gateway serves its resource; KNX is here.
    wait_for("the KNX tab", lambda: visible(browser, "#tabs a[data-view=knx]"))
    for view in ("groups", "sensors", "bindings"):
        served = rest.get(f"/{view}").status_code == 200
        tab = f"#tabs a[data-view={view}]"
        wait_for(
            f"the {view} tab {'shown' if served else 'hidden'}",
            lambda tab=tab, served=served: find(browser, tab).is_displayed() is served,
        )
