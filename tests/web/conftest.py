"""On a failed browser test, keep a screenshot and the page's text next to the test's
temporary files, so a failure in CI can be understood without re-running it."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call" and report.failed and "browser" in getattr(item, "funcargs", {}):
        driver = item.funcargs["browser"]
        target = item.config._tmp_path_factory.mktemp("failure")  # type: ignore[attr-defined]
        try:
            driver.save_screenshot(str(target / "page.png"))
            (target / "page.txt").write_text(driver.find_element("tag name", "body").text)
            report.sections.append(
                ("page at failure", f"{target}\n{(target / 'page.txt').read_text()}")
            )
        except Exception as exc:  # the browser itself may be gone
            report.sections.append(("page at failure", f"no screenshot: {exc}"))
    return report
