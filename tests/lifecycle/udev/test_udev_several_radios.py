"""With several radios plugged, /dev/zigbee stays on the identified coordinator, whichever
udev sees first; each still gets its kind link."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lifecycle.udev.fake_ttys import usb_serial
from tests.lifecycle.udev.sandbox import needs_udev, run_udev
from tests.lifecycle.udev.sticks import CONBEE2, RASPBEE, ZBDONGLE_P, ZZH

pytestmark = needs_udev


@pytest.mark.parametrize("order", ["conbee-first", "zzh-first"])
def test_identified_stick_keeps_zigbee_link_when_a_ch340_is_also_plugged(
    tmp_path: Path, order: str
) -> None:
    zzh = usb_serial(
        "zzh", vid="1a86", pid="7523", manufacturer="", product="USB Serial", serial=None,
        driver="ch341", port="1-2",
    )  # fmt: skip
    devices = [CONBEE2, zzh] if order == "conbee-first" else [zzh, CONBEE2]
    run = run_udev(tmp_path, devices)
    assert run.link_target("zigbee") == "ttyACM0"
    assert run.link_target("zigbee-conbee2") == "ttyACM0"
    assert run.link_target("zigbee-znp") == "ttyUSB0"


def test_raspbee_keeps_zigbee_link_over_a_ch340(tmp_path: Path) -> None:
    run = run_udev(tmp_path, [RASPBEE, ZZH])
    assert run.link_target("zigbee") == "ttyAMA0"


def test_zbdongle_p_keeps_zigbee_link_over_a_zbdongle_e(tmp_path: Path) -> None:
    dongle_e = usb_serial(
        "zbdongle-e", vid="1a86", pid="55d4", manufacturer="ITEAD",
        product="SONOFF Zigbee 3.0 USB Dongle Plus V2", serial="1", driver="cdc_acm",
        port="1-2",
    )  # fmt: skip
    run = run_udev(tmp_path, [ZBDONGLE_P, dongle_e])
    assert run.link_target("zigbee") == "ttyUSB0"
    assert run.link_target("zigbee-ezsp") == "ttyACM0"
