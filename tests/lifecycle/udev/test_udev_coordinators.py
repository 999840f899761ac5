"""The coordinators get /dev/zigbee and their kind link, group dialout, mode 0660, and are
hidden from ModemManager (rules run by the real udev, see ``sandbox.py``)."""

from __future__ import annotations

import grp
import os
import stat

import pytest

from tests.lifecycle.udev.fake_ttys import FakeTty
from tests.lifecycle.udev.sandbox import needs_udev
from tests.lifecycle.udev.sticks import CONBEE2, COORDINATORS, RASPBEE, ZBDONGLE_P

pytestmark = needs_udev


def test_conbee2_gets_zigbee_and_zigbee_conbee2_links(udev) -> None:
    result = udev(CONBEE2)
    assert result.devlinks == {"/dev/zigbee", "/dev/zigbee-conbee2"}
    assert os.readlink(result.dev_dir / "zigbee") == "ttyACM0"
    assert os.readlink(result.dev_dir / "zigbee-conbee2") == "ttyACM0"


def test_zbdongle_p_gets_zigbee_and_zigbee_znp_links(udev) -> None:
    result = udev(ZBDONGLE_P)
    assert result.devlinks == {"/dev/zigbee", "/dev/zigbee-znp"}
    assert os.readlink(result.dev_dir / "zigbee") == "ttyUSB0"
    assert os.readlink(result.dev_dir / "zigbee-znp") == "ttyUSB0"


@pytest.mark.parametrize(("device", "kind_link", "radio_kind"), COORDINATORS)
def test_each_coordinator_gets_zigbee_and_its_kind_link(
    udev, device: FakeTty, kind_link: str, radio_kind: str
) -> None:
    result = udev(device)
    assert result.devlinks == {"/dev/zigbee", f"/dev/{kind_link}"}
    assert os.readlink(result.dev_dir / kind_link) == device.tty


@pytest.mark.parametrize(("device", "kind_link", "radio_kind"), COORDINATORS)
def test_each_coordinator_reports_its_radio_kind(
    udev, device: FakeTty, kind_link: str, radio_kind: str
) -> None:
    assert udev(device).properties["GATEWAY_RADIO_KIND"] == radio_kind


@pytest.mark.parametrize("device", [CONBEE2, ZBDONGLE_P, RASPBEE], ids=lambda d: d.name)
def test_coordinator_node_is_group_dialout_mode_0660(udev, device: FakeTty) -> None:
    node = udev(device).node()
    assert stat.S_ISCHR(node.st_mode)
    assert node.st_gid == grp.getgrnam("dialout").gr_gid  # the rules name the group
    assert stat.S_IMODE(node.st_mode) == 0o660


@pytest.mark.parametrize("device", [CONBEE2, ZBDONGLE_P, RASPBEE], ids=lambda d: d.name)
def test_coordinator_is_hidden_from_modemmanager(udev, device: FakeTty) -> None:
    assert udev(device).properties.get("ID_MM_DEVICE_IGNORE") == "1"
