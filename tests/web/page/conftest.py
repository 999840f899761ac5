"""The page in a real browser against a real gateway on the virtual rig: one story.

One gateway and one headless chromium for the whole package (starting them is most of the
cost); the modules run in the order of their numbers like a person's first evening with
the gateway: sign in, pair the lamps and use them, touchlink, KNX, password and apps, the
radio being unplugged, the docs, sign out. Later steps build on earlier ones (the lamps
paired in step 2, the password changed in step 4), so run the package as a whole. Each
test still checks its own behaviour end to end: the emulator's lamp, the REST API or the
KNX bus tell whether the page really did it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.browser import console_errors, start_browser
from tests.web.page_gateway import PageGateway, page_gateway


@pytest.fixture(scope="package")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageGateway]:
    with page_gateway(Path(tmp_path_factory.mktemp("page"))) as running:
        yield running


@pytest.fixture(scope="package")
def browser(rig: PageGateway):
    driver = start_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(autouse=True)
def no_script_errors(request: pytest.FixtureRequest):
    """Every test also checks that the page raised no script error meanwhile."""
    yield
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser")
        errors = [
            e
            for e in console_errors(driver)
            # HTTP errors the page handles (hidden sections answer 404, 503 while unplugged)
            if "Failed to load resource" not in e
        ]
        assert errors == []


@pytest.fixture(scope="package")
def rest(rig: PageGateway) -> Iterator[httpx.Client]:
    """Another app using the REST API at the same time as the page."""
    with httpx.Client(base_url=rig.url, timeout=10) as client:
        made = client.post(
            "/api", auth=("delight", rig.admin_password), json={"devicetype": "other#app"}
        )
        key = made.json()[0]["success"]["username"]
        client.base_url = httpx.URL(f"{rig.url}/api/{key}")
        client.headers["x-key"] = key
        yield client
