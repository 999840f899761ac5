"""What a person does on the page, shared by the story's steps: open a view (signing in
when asked), sign in, drag a slider."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.web.browser import find, wait_for
from tests.web.page_gateway import PageGateway

#: The admin password step 4 changes to; the later steps sign apps in with it.
NEW_PASSWORD = "a much better one"


def open_view(browser, rig: PageGateway, view: str) -> None:
    if browser.current_url.split("#")[0] != rig.url + "/":
        browser.get(rig.url + "/")
    if find(browser, "#sign-in").is_displayed():
        sign_in(browser, rig.admin_password)
    browser.execute_script("location.hash = arguments[0]", view)
    wait_for(f"the {view} view", lambda: find(browser, "#view").get_attribute("data-view") == view)


def sign_in(browser, password: str) -> None:
    form = find(browser, "#sign-in-form")
    user = form.find_element(By.NAME, "user")
    user.clear()
    user.send_keys("delight")
    secret = form.find_element(By.NAME, "password")
    secret.clear()
    secret.send_keys(password)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def set_range(browser, element, value: int) -> None:
    """Move a slider as a drag would: set the value, fire "input"."""
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
        element,
        value,
    )
