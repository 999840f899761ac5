"""Sensors in the emulator process: ``--sensors``, devices files and the control socket."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from hil.emulators.znp import DeviceKind, load_devices_file
from hil.emulators.znp.__main__ import build_parser, config_from_args
from hil.emulators.znp.control import ControlClient, ControlError
from hil.emulators.znp.devices.spec import SENSOR_CYCLE, sensor_ieee

from .conftest import eventually, join_all, start_app


def test_sensors_flag_adds_one_of_each_sensor_at_stable_addresses() -> None:
    config = config_from_args(build_parser().parse_args(["--lights", "1", "--sensors"]))
    kinds = [spec.kind for spec in config.all_devices()]
    assert kinds == [DeviceKind.EXTENDED_COLOR, *SENSOR_CYCLE]
    assert [spec.ieee for spec in config.devices] == [sensor_ieee(i) for i in range(1, 6)]
    assert all(spec.power_source == 0x03 and not spec.touchlink for spec in config.devices)


def test_devices_file_takes_sensor_types_and_sleep_settings(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(
        '[[device]]\nieee = "00:11:22:33:44:55:66:77"\ntype = "door_contact"\n'
        "awake_time = 2.5\npoll_interval = 60\nbattery = 40\n"
        '[[device]]\nieee = "00:11:22:33:44:55:66:78"\ntype = "ikea_remote"\ngroup = 0x0123\n'
    )
    contact, remote = load_devices_file(path).devices
    assert contact.kind is DeviceKind.DOOR_CONTACT
    assert (contact.awake_time, contact.poll_interval, contact.battery) == (2.5, 60.0, 40)
    assert remote.group == 0x0123


def test_devices_file_rejects_a_bad_battery_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(
        '[[device]]\nieee = "00:11:22:33:44:55:66:77"\ntype = "hue_dimmer"\nbattery = 120\n'
    )
    with pytest.raises(ValueError, match="battery"):
        load_devices_file(path)


async def test_cli_sensors_join_and_report_through_the_control_socket(tmp_path: Path) -> None:
    link, sock = tmp_path / "zigbee", tmp_path / "ctl.sock"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hil.emulators.znp",
        "--link", str(link), "--sensors", "--state", str(tmp_path / "s.json"),
        "--control", str(sock), "--fast", "--log-level", "warning",
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    app = None
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert line.startswith("ready "), line
        app = await start_app(str(link), channel=15)
        devices = await join_all(app, 5, timeout=20)
        assert {d.ieee for d in devices} == {sensor_ieee(i) for i in range(1, 6)}
        motion = app.get_device(ieee=sensor_ieee(3)).endpoints[2].occupancy
        await motion.bind()
        await motion.configure_reporting("occupancy", 0, 300, 1)
        async with ControlClient(sock) as client:
            await client.request("motion", ieee=str(sensor_ieee(3)), occupied=True)
            await eventually(lambda: motion.get("occupancy") == 1, timeout=3)
            pressed = await client.request(
                "press", ieee=str(sensor_ieee(1)), button="off", event="short_release"
            )
            assert pressed["frames"] == 0  # nothing bound on the dimmer
            with pytest.raises(ControlError, match="no cluster 0x0405"):
                await client.request("humidity", ieee=str(sensor_ieee(3)), percent=40)
            state = await client.request("device", ieee=str(sensor_ieee(3)))
            assert state["sleepy"] is True
            [binding] = state["bindings"]
            assert (binding["src_endpoint"], binding["cluster"]) == (2, 0x0406)
            assert binding["ieee"] == str(app.state.node_info.ieee)
            [config] = state["reporting"]
            assert (config["attribute"], config["max_interval"]) == ("occupancy", 300)
    finally:
        if app is not None:
            await app.shutdown()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
