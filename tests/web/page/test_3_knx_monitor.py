"""Step 3: the KNX bus monitor shows telegrams both ways, decoded by the catalogue."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.web.browser import find, finds, screenshot, wait_for
from tests.web.page.steps import open_view

pytestmark = pytest.mark.timeout(300)


def test_the_bus_monitor_shows_telegrams_both_ways_decoded(browser, rig, rest):
    open_view(browser, rig, "knx")
    wait_for("the monitor to be live", lambda: find(browser, "#knx-monitor-status").text == "live")
    assert rig.link is not None
    rig.run(rig.link.write("1/0/1", "1.001", 1))

    def row_for(destination: str, direction: str):
        for row in finds(browser, "#knx-monitor tr"):
            cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
            if len(cells) == 7 and cells[3] == destination and cells[1].endswith(direction):
                return cells
        return None

    out = wait_for("our command in the monitor", lambda: row_for("1/0/1", "out"))
    assert out[4] == "write" and out[5] == "1"
    assert out[6] == "Living room light · power"
    # The emulator's actuator answers on its status address: an incoming telegram.
    status = wait_for("the actuator's status telegram", lambda: row_for("1/0/2", "in"))
    assert status[5] == "1" and status[6] == "Living room light · power"
    wait_for(
        "the device table to show the new status",
        lambda: (
            (
                cell := find(
                    browser,
                    "#knx-devices tr[data-guid=living_room_light][data-controller=power] td.num",
                )
            )
            and cell.text == "1"
        ),
    )
    assert "KNX ok" in find(browser, "#chip-knx").text
    screenshot(browser, "knx")
