"""Step 7, the last: signing out revokes the page's own key and no other app's."""

from __future__ import annotations

import httpx
import pytest

from tests.web.browser import find, visible, wait_for
from tests.web.page.steps import open_view

pytestmark = pytest.mark.timeout(300)


def test_sign_out_revokes_the_pages_own_key(browser, rig, rest):
    open_view(browser, rig, "lights")
    key = browser.execute_script("return localStorage.getItem('gateway.apikey')")
    assert httpx.get(f"{rig.url}/api/{key}/config").status_code == 200
    find(browser, "#sign-out").click()
    wait_for("the sign-in form", lambda: visible(browser, "#sign-in"))
    assert browser.execute_script("return localStorage.getItem('gateway.apikey')") is None
    assert httpx.get(f"{rig.url}/api/{key}/config").json()[0]["error"]["type"] == 1
    assert rest.get("/config").status_code == 200  # other apps keep their access
