"""Which Zigbee sides the suite runs on, as the environment says (``hil/zigbee_side.py``).

No peers are started: these check only the choice, so a wrong variable is caught with a
message naming it before any rig runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hil.rig import Rig
from hil.rig_environment import (
    ENV_VIRTUAL_STICKS,
    ENV_ZIGBEE,
    ENV_ZIGBEE_KIND,
    RigConfigError,
)
from hil.zigbee_side import HardwareZigbee, VirtualZigbee, zigbee_variants

pytestmark = pytest.mark.hil


def test_the_virtual_rig_runs_both_emulated_sticks_by_default() -> None:
    assert zigbee_variants({}) == ["znp", "deconz"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("deconz", ["deconz"]), ("znp", ["znp"]), (" deconz , znp,deconz ", ["deconz", "znp"])],
)
def test_the_environment_picks_some_emulated_sticks(value: str, expected: list[str]) -> None:
    assert zigbee_variants({ENV_VIRTUAL_STICKS: value}) == expected


@pytest.mark.parametrize("value", ["conbee", "znp,ezsp", ",", "ZNP"])
def test_an_unknown_emulated_stick_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(RigConfigError, match=ENV_VIRTUAL_STICKS):
        zigbee_variants({ENV_VIRTUAL_STICKS: value})


def test_a_real_stick_is_the_only_variant_and_the_virtual_choice_is_ignored() -> None:
    env = {ENV_ZIGBEE: "/dev/zigbee", ENV_ZIGBEE_KIND: "deconz", ENV_VIRTUAL_STICKS: "znp"}
    assert zigbee_variants(env) == ["deconz"]
    assert zigbee_variants({ENV_ZIGBEE: "/dev/zigbee"}) == ["znp"]
    with pytest.raises(RigConfigError, match=ENV_ZIGBEE_KIND):
        zigbee_variants({ENV_ZIGBEE: "/dev/zigbee", ENV_ZIGBEE_KIND: "ezsp"})


def test_the_virtual_conbee_is_driven_as_deconz_and_has_no_touchlink_target(
    tmp_path: Path,
) -> None:
    rig = Rig.from_environment(tmp_path, {}, stick="deconz")
    side = rig.zigbee
    assert isinstance(side, VirtualZigbee)
    assert side.kind == "deconz"
    assert side.touchlink_target is None and side.touchlink_channel is None
    assert side.light is not None and side.join_light is not None
    assert "ConBee" in rig.describe() and "radio.kind = deconz" in rig.describe()


def test_the_virtual_znp_stick_keeps_its_touchlink_target(tmp_path: Path) -> None:
    side = Rig.from_environment(tmp_path, {}).zigbee
    assert isinstance(side, VirtualZigbee)
    assert side.kind == "znp" and side.touchlink_target is not None


def test_a_real_stick_ignores_the_emulated_choice(tmp_path: Path) -> None:
    env = {ENV_ZIGBEE: "/dev/zigbee", ENV_ZIGBEE_KIND: "deconz"}
    side = Rig.from_environment(tmp_path, env, stick="znp").zigbee
    assert isinstance(side, HardwareZigbee) and side.kind == "deconz"


def test_an_unknown_virtual_stick_is_refused() -> None:
    with pytest.raises(RigConfigError, match="ezsp"):
        VirtualZigbee("ezsp")
