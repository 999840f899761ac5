"""Debian's chromium, headless, through Debian's chromedriver (Selenium), and waits.

No browser download: the tests use ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``
(``make test`` installs them, see the Makefile's APT_PACKAGES) and skip, saying so, when
they are absent. Selenium is told both paths, so its driver manager never goes online.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS_ENV = "GATEWAY_SCREENSHOTS"  # a directory: save a PNG of each page there
T = TypeVar("T")


def start_browser() -> webdriver.Chrome:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.skip(f"needs Debian's chromium and chromium-driver (missing {', '.join(missing)})")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # root in CI
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--no-first-run",
        "--disable-extensions",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 20.0) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception as exc:  # stale elements while the page re-renders
            last_error = exc
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what} ({last_error})")


def find(driver: webdriver.Chrome, css: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, css)


def finds(driver: webdriver.Chrome, css: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, css)


def visible(driver: webdriver.Chrome, css: str) -> WebElement | None:
    for element in finds(driver, css):
        if element.is_displayed():
            return element
    return None


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    """Save a PNG when GATEWAY_SCREENSHOTS names a directory (docs/screenshots)."""
    directory = os.environ.get(SCREENSHOTS_ENV)
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        size = driver.get_window_size()
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(size["width"], max(size["height"], min(int(height) + 40, 2400)))
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.3)  # let transitions settle
        driver.save_screenshot(str(Path(directory) / f"{name}.png"))
        driver.set_window_size(size["width"], size["height"])


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """Severe messages from the page's console (script errors), minus expected network
    failures (a websocket reconnecting while the test unplugs things)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "WebSocket" not in entry["message"]
    ]
