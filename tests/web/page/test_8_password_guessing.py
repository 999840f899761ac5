"""Step 8, after signing out: wrong passwords at the sign-in form are said as such until the
gateway throttles the guesser; then the page says how long to wait, and after the wait the
right password signs in (the throttle itself is tested in tests/api/test_abuse_guessing.py)."""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.by import By

from tests.web.browser import find, visible, wait_for
from tests.web.page.steps import NEW_PASSWORD, sign_in

pytestmark = pytest.mark.timeout(300)

WAIT_SAID = re.compile(r"Too many wrong passwords\. Wait (\d+) s and try again\.")


def submit(browser, password: str) -> str:
    """Signs in with ``password`` and returns what the form then says."""
    browser.execute_script("document.getElementById('sign-in-error').textContent = ''")
    sign_in(browser, password)
    return wait_for("the sign-in answer", lambda: find(browser, "#sign-in-error").text)


def test_wrong_passwords_are_said_then_the_wait_and_after_it_the_right_one_works(
    browser, rig, rest
):
    # Step 4 opened the unlock window, in which any sign-in gets a key: close it first.
    assert "success" in rest.put("/config", json={"unlock": 0}).json()[0]
    assert rest.get("/config").json()["linkbutton"] is False
    wait_for("the sign-in form", lambda: visible(browser, "#sign-in"))
    said = [submit(browser, "not the password")]
    while not WAIT_SAID.fullmatch(said[-1]) and len(said) < 8:
        said.append(submit(browser, "not the password"))
    assert said[0] == "Wrong name or password."
    assert set(said[:-1]) == {"Wrong name or password."}
    waiting = WAIT_SAID.fullmatch(said[-1])
    assert waiting is not None, said
    time.sleep(int(waiting.group(1)) + 0.2)
    find(browser, "#sign-in-form").find_element(By.NAME, "password").clear()
    sign_in(browser, NEW_PASSWORD)
    wait_for("the page after signing in", lambda: not visible(browser, "#sign-in"))
