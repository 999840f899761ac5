"""Devices files (TOML/JSON) and command-line options: valid ones build the rig,
invalid ones fail before anything is opened, naming the culprit."""

from __future__ import annotations

from pathlib import Path

import pytest
import zigpy.types as zt

from hil.emulators.znp import DeviceKind, EmulatorConfig, load_devices_file
from hil.emulators.znp.__main__ import build_parser, config_from_args

TOML = """
[[device]]
ieee = "00:0b:57:ff:fe:11:22:33"
type = "dimmable"
manufacturer = "IKEA of Sweden"
model = "TRADFRI bulb E27 W opal 1000lm"
endpoint = 1
lqi = 180

[[touchlink_target]]
ieee = "00:17:88:01:7c:00:00:09"
type = "extended_color"
channel = 25
factory_new = false
"""


def test_toml_devices_file_defines_devices_and_touchlink_targets(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(TOML)
    loaded = load_devices_file(path)
    (bulb,) = loaded.devices
    assert bulb.ieee == zt.EUI64.convert("00:0b:57:ff:fe:11:22:33")
    assert (bulb.kind, bulb.model, bulb.endpoint, bulb.lqi) == (
        DeviceKind.DIMMABLE,
        "TRADFRI bulb E27 W opal 1000lm",
        1,
        180,
    )
    (target,) = loaded.touchlink_targets
    assert (target.channel, target.factory_new, target.kind) == (
        25,
        False,
        DeviceKind.EXTENDED_COLOR,
    )


def test_json_devices_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    path.write_text('{"device": [{"ieee": "00:12:4b:00:00:00:00:01", "type": "on_off_plug"}]}')
    (plug,) = load_devices_file(path).devices
    assert plug.kind is DeviceKind.ON_OFF_PLUG and plug.endpoint == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[device]]\nieee = "00:12:4b:00:00:00:00:01"\ncolour = 1\n',
            "unknown device key 'colour'",
        ),
        ('[[device]]\ntype = "dimmable"\n', "needs an 'ieee'"),
        ('[[device]]\nieee = "00:12:4b:00:00:00:00:01"\ntype = "lamp"\n', "bad value for 'type'"),
        ('[[lamp]]\nieee = "00:12:4b:00:00:00:00:01"\n', "unknown sections"),
        ('[[device]]\nieee = "00:12:4b:00:00:00:00:01"\nchannel = 27\n', "channel must be"),
    ],
)
def test_bad_devices_file_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_devices_file(path)


def test_cli_options_build_the_config(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        [
            "--link", str(tmp_path / "zb"),
            "--lights", "3",
            "--state", str(tmp_path / "s.json"),
            "--touchlink-target", "channel=15,type=dimmable",
            "--energy", "11=200",
            "--fast",
        ]
    )  # fmt: skip
    config = config_from_args(args)
    assert [d.kind for d in config.all_devices()] == [
        DeviceKind.EXTENDED_COLOR,
        DeviceKind.COLOR_TEMPERATURE,
        DeviceKind.DIMMABLE,
        DeviceKind.DIMMABLE,
    ]
    assert config.touchlink_targets[0].channel == 15
    assert config.channel_energy == {11: 200}
    assert config.timing.reset < 0.1


@pytest.mark.parametrize(
    "argv",
    [["--energy", "30=5"], ["--energy", "11"], ["--lights", "-1"], ["--touchlink-target", "x"]],
)
def test_bad_cli_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(ValueError):
        config_from_args(build_parser().parse_args(argv))


def test_duplicate_device_addresses_are_refused() -> None:
    from hil.emulators.znp import DeviceSpec

    spec = DeviceSpec(ieee=zt.EUI64.convert("00:17:88:01:0e:00:00:01"))
    with pytest.raises(ValueError, match="configured twice"):
        EmulatorConfig(lights=1, devices=[spec]).all_devices()
