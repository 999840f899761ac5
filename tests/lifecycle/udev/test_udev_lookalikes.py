"""Serial adapters with a coordinator's USB ids, and other on-board UARTs, are left alone:
no links, no ModemManager hint, the node as it was."""

from __future__ import annotations

import stat

import pytest

from tests.lifecycle.udev.fake_ttys import FakeTty
from tests.lifecycle.udev.sandbox import needs_udev
from tests.lifecycle.udev.sticks import GENERIC_CP2102, LOOKALIKES

pytestmark = needs_udev


def test_generic_cp2102_with_the_zbdongle_p_ids_gets_no_links(udev) -> None:
    result = udev(GENERIC_CP2102)
    assert result.devlinks == set()
    assert not (result.dev_dir / "zigbee").exists()
    assert "ID_MM_DEVICE_IGNORE" not in result.properties


@pytest.mark.parametrize("device", LOOKALIKES, ids=lambda d: d.name)
def test_lookalike_serial_devices_are_left_alone(udev, device: FakeTty) -> None:
    result = udev(device)
    assert result.devlinks == set()
    assert "ID_MM_DEVICE_IGNORE" not in result.properties
    assert "GATEWAY_RADIO_KIND" not in result.properties
    node = result.node()
    assert (node.st_gid, stat.S_IMODE(node.st_mode)) == (0, 0o600)  # as we created it
