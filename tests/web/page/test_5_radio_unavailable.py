"""Step 5: the stick unplugged (the page says so and stays usable) and replugged."""

from __future__ import annotations

import time

import pytest

from tests.web.browser import find, finds, screenshot, visible, wait_for
from tests.web.page.steps import open_view

pytestmark = pytest.mark.timeout(300)


def test_radio_unavailable_is_said_and_clears_by_itself(browser, rig, rest):
    open_view(browser, rig, "lights")
    rig.radio_command("unplug")
    banner = wait_for(
        "the radio-unavailable banner", lambda: visible(browser, "#banner"), timeout=30
    )
    assert "Radio unavailable" in banner.text
    assert "Radio unavailable" in find(browser, "#chip-radio").text
    screenshot(browser, "radio-unavailable")
    # Lamps show as unreachable and cannot be switched; the page stays usable: opening
    # the network answers at once with a sentence, it does not hang.
    wait_for(
        "the lamps shown unreachable",
        lambda: all(not e.is_enabled() for e in finds(browser, ".light input.switch")),
    )
    open_view(browser, rig, "pairing")
    started = time.monotonic()
    find(browser, "#open-network").click()
    wait_for("an error in words", lambda: "Radio unavailable" in find(browser, "#toasts").text)
    assert time.monotonic() - started < 15  # the page gives up on any request after 8 s
    rig.radio_command("replug")
    wait_for("the banner to go", lambda: not find(browser, "#banner").is_displayed(), timeout=90)
    assert "Radio ok" in find(browser, "#chip-radio").text
