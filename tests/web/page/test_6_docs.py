"""Step 6: ``/docs`` renders the OpenAPI description offline and filters it."""

from __future__ import annotations

import pytest

from tests.web.browser import find, finds, screenshot, wait_for

pytestmark = pytest.mark.timeout(300)


def test_docs_renders_the_openapi_description_offline(browser, rig, rest):
    browser.get(rig.url + "/docs")
    operations = wait_for("the operations", lambda: len(finds(browser, ".op")) > 20 or None)
    assert operations
    paths = [e.text for e in finds(browser, ".op summary code")]
    assert "/api/{apikey}/lights/{id}/state" in paths
    assert any(p.lower().startswith("/api/v1/") for p in paths)  # the Thinknx paths are there too
    find(browser, "#filter").send_keys("touchlink")
    wait_for(
        "the filter",
        lambda: all("touchlink" in e.text for e in finds(browser, ".op") if e.is_displayed()),
    )
    screenshot(browser, "docs")
