"""Step 4: the gateway view: changing the admin password, the unlock window, a channel
change asked first, and revoking an app."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.web.browser import find, finds, screenshot, visible, wait_for
from tests.web.page.steps import NEW_PASSWORD, open_view

pytestmark = pytest.mark.timeout(300)


def test_changing_the_admin_password(browser, rig, rest):
    open_view(browser, rig, "gateway")
    form = find(browser, "#password-form")
    form.find_element(By.NAME, "old").send_keys(rig.admin_password)
    form.find_element(By.NAME, "new1").send_keys(NEW_PASSWORD)
    form.find_element(By.NAME, "new2").send_keys(NEW_PASSWORD + " typo")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for("the mismatch message", lambda: "differ" in find(browser, "#password-error").text)
    new2 = form.find_element(By.NAME, "new2")
    new2.clear()
    new2.send_keys(NEW_PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for("the confirmation", lambda: "Password changed" in find(browser, "#toasts").text)
    new = httpx.post(f"{rig.url}/api", auth=("delight", NEW_PASSWORD), json={"devicetype": "x"})
    assert "success" in new.json()[0]
    old = httpx.post(
        f"{rig.url}/api", auth=("delight", rig.admin_password), json={"devicetype": "x"}
    )
    assert old.json()[0]["error"]["type"] == 101
    screenshot(browser, "gateway")


def test_a_choice_not_yet_applied_survives_the_pages_repaints(browser, rig, rest):
    # The page repaints from the config every 2 s. A channel picked (or a name typed) and
    # not yet applied was put back to the current one by the next repaint once focus had
    # left the field, so "Change channel" then said "Already on channel 15".
    open_view(browser, rig, "gateway")
    channel = rest.get("/config").json()["zigbeechannel"]
    other = 25 if channel != 25 else 20
    name_box = find(browser, "#name-form input[name=name]")
    name_box.click()  # as a person: into the field, select what is there, type over it
    name_box.send_keys(Keys.CONTROL, "a")
    name_box.send_keys("Attic")
    assert name_box.get_attribute("value") == "Attic"
    browser.execute_script(
        "const s = document.getElementById('channel'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'))",
        str(other),
    )
    find(browser, "#health").click()  # focus leaves both fields, as when a person moves on
    # A change elsewhere that a repaint shows: a new app in the list.
    made = httpx.post(
        f"{rig.url}/api", auth=("delight", NEW_PASSWORD), json={"devicetype": "repaint#witness"}
    )
    assert "success" in made.json()[0], made.text
    wait_for("the repaint", lambda: "repaint#witness" in find(browser, "#key-list").text)
    assert find(browser, "#channel").get_attribute("value") == str(other)
    assert name_box.get_attribute("value") == "Attic"
    find(browser, "#change-channel").click()
    dialog = wait_for("the confirmation", lambda: visible(browser, "dialog.confirm"))
    assert f"channel {other}" in dialog.text
    dialog.find_element(By.XPATH, ".//button[text()='Cancel']").click()
    assert rest.get("/config").json()["zigbeechannel"] == channel
    open_view(browser, rig, "lights")  # the next test starts from a fresh gateway view


def test_unlock_channel_confirmation_and_revoking_an_app(browser, rig, rest):
    open_view(browser, rig, "gateway")
    find(browser, "#unlock").click()
    wait_for(
        "the unlock countdown",
        lambda: re.fullmatch(r"(60|59|58) s", find(browser, "#unlock-countdown").text),
    )
    assert rest.get("/config").json()["linkbutton"] is True
    # A channel change asks first; "Cancel" changes nothing.
    channel = rest.get("/config").json()["zigbeechannel"]
    other = 20 if channel != 20 else 25
    browser.execute_script(
        "const s = document.getElementById('channel'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'))",
        str(other),
    )
    find(browser, "#change-channel").click()
    dialog = wait_for("the confirmation", lambda: visible(browser, "dialog.confirm"))
    assert f"channel {other}" in dialog.text
    dialog.find_element(By.XPATH, ".//button[text()='Cancel']").click()
    time.sleep(0.5)
    assert rest.get("/config").json()["zigbeechannel"] == channel
    # Another app's key, revoked from the page by its key id.
    made = httpx.post(
        f"{rig.url}/api", auth=("delight", NEW_PASSWORD), json={"devicetype": "old#tablet"}
    )
    doomed = made.json()[0]["success"]["username"]
    row = wait_for(
        "the app in the list",
        lambda: next((r for r in finds(browser, "#key-list tr") if "old#tablet" in r.text), None),
    )
    assert doomed not in browser.page_source  # shown by key id only
    row.find_element(By.XPATH, ".//button[text()='Revoke']").click()
    wait_for("the confirmation", lambda: visible(browser, "dialog.confirm")).find_element(
        By.XPATH, ".//button[text()='Revoke']"
    ).click()
    wait_for(
        "the key to stop working",
        lambda: (
            httpx.get(f"{rig.url}/api/{doomed}/config").json()[0]["error"]["type"] == 1
            if isinstance(httpx.get(f"{rig.url}/api/{doomed}/config").json(), list)
            else None
        ),
    )
    assert "(this page)" in find(browser, "#key-list").text
