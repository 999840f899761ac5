"""Step 2: pairing the emulator's lamps, using them from the page and seeing changes made
elsewhere, and a touchlink scan."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from tests.web.browser import find, finds, screenshot, visible, wait_for
from tests.web.page.steps import open_view, set_range
from tests.web.page_gateway import TOUCHLINK_TARGET

pytestmark = pytest.mark.timeout(300)


def test_pairing_counts_down_and_shows_each_lamp_as_it_joins(browser, rig, rest):
    open_view(browser, rig, "pairing")
    # The radio connects in the background after start; the page says when it is there.
    wait_for("the radio", lambda: "Radio ok" in find(browser, "#chip-radio").text, timeout=60)
    find(browser, "#open-network").click()

    def seconds_left() -> int | None:
        match = re.fullmatch(r"(\d+) s", find(browser, "#permitjoin-countdown").text)
        return int(match.group(1)) if match else None

    first = wait_for("the countdown", seconds_left)
    assert 50 <= first <= 60
    wait_for("the countdown to go down", lambda: (left := seconds_left()) and left < first)
    joined = wait_for(
        "the three lamps in the joined list",
        lambda: (items := finds(browser, "#joined-list li")) and len(items) == 3 and items,
        timeout=90,
    )
    screenshot(browser, "pairing")
    assert len(rest.get("/lights").json()) == 3
    assert all(item.text for item in joined)
    find(browser, "#close-network").click()
    wait_for("the network to close", lambda: find(browser, "#permitjoin-countdown").text == "")
    assert rest.get("/config").json()["permitjoin"] == 0


def test_switching_a_lamp_on_the_page_switches_the_emulators_lamp(browser, rig, rest):
    lights = rest.get("/lights").json()
    light_id = sorted(lights)[0]
    ieee = lights[light_id]["uniqueid"].split("-")[0].lower()
    open_view(browser, rig, "lights")
    card = wait_for("the lamp's card", lambda: visible(browser, f".light[data-id='{light_id}']"))
    was_on = rig.lamp_on(ieee)
    card.find_element(By.CSS_SELECTOR, "input.switch").click()
    wait_for("the emulator's lamp to follow", lambda: rig.lamp_on(ieee) is (not was_on) or None)
    card.find_element(By.CSS_SELECTOR, "input.switch").click()
    wait_for("the emulator's lamp back", lambda: rig.lamp_on(ieee) is was_on or None)
    screenshot(browser, "lights")


def test_dimming_white_and_renaming_on_the_page_reach_the_lamp(browser, rig, rest):
    lights = rest.get("/lights").json()
    light_id = next(i for i, light in sorted(lights.items()) if "ct" in light["state"])
    ieee = lights[light_id]["uniqueid"].split("-")[0].lower()
    rest.put(f"/lights/{light_id}/state", json={"on": True})
    open_view(browser, rig, "lights")
    card_css = f".light[data-id='{light_id}']"
    card = wait_for("the lamp's card", lambda: visible(browser, card_css))
    set_range(browser, card.find_element(By.CSS_SELECTOR, "input.bri"), 100)
    set_range(browser, card.find_element(By.CSS_SELECTOR, "input.ct"), 400)

    def lamp(cluster: str, attribute: str):
        device = rig.radio_command("device", ieee=ieee)
        return device["clusters"][cluster]["attributes"].get(attribute)

    wait_for("the lamp's level", lambda: lamp("0x0008", "current_level") == 100)
    wait_for("the lamp's colour temperature", lambda: lamp("0x0300", "color_temperature") == 400)
    assert "2500 K" in card.text
    card.find_element(By.CSS_SELECTOR, "button.rename").click()
    field = wait_for("the name field", lambda: visible(browser, f"{card_css} .rename-form input"))
    field.clear()
    field.send_keys("Desk")
    field.submit()
    wait_for(
        "the new name in the API", lambda: rest.get(f"/lights/{light_id}").json()["name"] == "Desk"
    )
    assert find(browser, f"{card_css} .name").text == "Desk"


def test_the_colour_picker_sets_the_lamps_colour(browser, rig, rest):
    lights = rest.get("/lights").json()
    light_id = next(i for i, light in sorted(lights.items()) if "xy" in light["state"])
    ieee = lights[light_id]["uniqueid"].split("-")[0].lower()
    rest.put(f"/lights/{light_id}/state", json={"on": True})
    open_view(browser, rig, "lights")
    picker = wait_for(
        "the colour picker", lambda: visible(browser, f".light[data-id='{light_id}'] input.color")
    )
    browser.execute_script(
        "arguments[0].value = '#ff0000';"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
        picker,
    )

    def lamp_xy():
        attributes = rig.radio_command("device", ieee=ieee)["clusters"]["0x0300"]["attributes"]
        return attributes["current_x"] / 65536, attributes["current_y"] / 65536

    # sRGB red is about (0.64, 0.33); the gateway and lamp may move it into their gamut.
    _, y = wait_for("a red lamp", lambda: (xy := lamp_xy()) and xy[0] > 0.55 and xy)
    assert 0.25 < y < 0.40
    assert rest.get(f"/lights/{light_id}").json()["state"]["colormode"] == "xy"


def test_a_change_made_through_the_rest_api_appears_without_reload(browser, rig, rest):
    open_view(browser, rig, "lights")
    browser.execute_script("window.__sameDocument = true")
    light_id = sorted(rest.get("/lights").json())[1]
    assert rest.put(f"/lights/{light_id}", json={"name": "Reading lamp"}).status_code == 200
    assert rest.put(f"/lights/{light_id}/state", json={"on": True, "bri": 77}).status_code == 200
    card_css = f".light[data-id='{light_id}']"
    wait_for("the new name", lambda: find(browser, f"{card_css} .name").text == "Reading lamp")
    wait_for(
        "the new brightness",
        lambda: find(browser, f"{card_css} input.bri").get_attribute("value") == "77",
    )
    assert browser.execute_script("return window.__sameDocument") is True


def test_touchlink_scan_shows_progress_and_the_lamp_it_found(browser, rig, rest):
    open_view(browser, rig, "pairing")
    find(browser, "#touchlink-scan").click()
    wait_for(
        "the progress bar moving",
        lambda: (
            (bar := visible(browser, "#touchlink-progress"))
            and float(bar.get_attribute("value")) > 0
        ),
    )
    assert "Scanning" in find(browser, "#touchlink-status").text
    target = "0x" + TOUCHLINK_TARGET.replace(":", "")

    def target_row():
        rows = [r for r in finds(browser, "#touchlink-results tr") if r.is_displayed()]
        return next((r for r in rows if r.text.startswith(target)), None)

    row = wait_for("the target in the results", target_row, timeout=60)
    assert " 15 " in f" {row.text} "  # the channel it answered on
    screenshot(browser, "touchlink")
    row.find_element(By.XPATH, ".//button[text()='Identify']").click()
    wait_for("the identify confirmation", lambda: "blink" in find(browser, "#toasts").text)
