"""``python -m hil.emulators.knx``: the emulator as its own process, and its device files."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from gateway.knx.link import LinkState
from hil.emulators.knx import CatalogueError, Switch, Value, default_devices, load_devices
from hil.emulators.knx.catalogue import DEFAULT_DEVICES_FILE
from tests.knx.conftest import link_settings

REPO = Path(__file__).resolve().parents[2]


async def start_cli(*args: str) -> tuple[asyncio.subprocess.Process, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hil.emulators.knx", "--port", "0", *args,
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
    assert line.startswith("KNX emulator listening on 127.0.0.1:"), line
    port = int(line.split(":")[1].split()[0])
    return process, port


async def stop_cli(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), 10)


@pytest.mark.parametrize("mode", ["tunnel_udp", "tunnel_tcp"])
async def test_cli_serves_the_default_devices(make_link, mode: str) -> None:
    process, port = await start_cli("--tcp")
    try:
        link = make_link(link_settings(port, mode))
        await link.start()
        await link.wait_for_state(LinkState.CONNECTED, 5)
        with link.subscribe("1/0/2") as feedback:
            await link.write("1/0/1", "1", 1)
            await feedback.get(within=1)
        await link.stop()
    finally:
        assert await stop_cli(process) == 0


async def test_cli_loads_a_device_file(make_link, tmp_path: Path) -> None:
    devices = tmp_path / "devices.toml"
    devices.write_text(
        'feedback_delay = 0.01\n[[devices]]\ntype = "value"\nname = "flow"\n'
        'value = "9/1/1"\nvalue_status = "9/1/2"\ndpt = "14"\ncurrent = 1.5\n'
    )
    process, port = await start_cli("--devices", str(devices))
    try:
        link = make_link(link_settings(port))
        await link.start()
        await link.wait_for_state(LinkState.CONNECTED, 5)
        event = await link.read("9/1/2")
        assert event.payload is not None and event.payload.value == (0x3F, 0xC0, 0x00, 0x00)
        await link.stop()
    finally:
        assert await stop_cli(process) == 0


async def test_cli_rejects_a_bad_device_file_naming_the_key(tmp_path: Path) -> None:
    devices = tmp_path / "devices.toml"
    devices.write_text('[[devices]]\ntype = "switch"\nname = "a"\nswich = "1/0/1"\n')
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hil.emulators.knx", "--port", "0", "--devices", str(devices),
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 10)
    assert process.returncode == 2
    assert "unknown key 'swich'" in stderr.decode()


def test_default_device_file_matches_the_readme_catalogue() -> None:
    readme = (DEFAULT_DEVICES_FILE.parent / "README.md").read_text()
    for device in default_devices():
        assert f"`{device.name}`" in readme, device.name
        for ga in device.group_addresses().values():
            assert ga in readme, (device.name, ga)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[devices]]\ntype = "lamp"\nname = "a"\n', "unknown type 'lamp'"),
        ('[[devices]]\ntype = "switch"\nname = "a"\n', "switch"),
        ('[[devices]]\ntype = "value"\nname = "a"\nvalue = "1/0/1"\ndpt = "99"\n', "DPT"),
        ('[[devices]]\ntype = "switch"\nname = "a"\nswitch = "1/0/1"\n'
         '[[devices]]\ntype = "switch"\nname = "a"\nswitch = "1/0/2"\n', "duplicate"),
        ("delay = 1\n", "unknown top-level key 'delay'"),
        ('[[devices]]\ntype = "switch"\nname = "a"\nswitch = "99/0/1"\n', "switch"),
    ],
)  # fmt: skip
def test_bad_device_files_fail_with_a_message_naming_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(text)
    with pytest.raises(CatalogueError, match=message):
        load_devices(path)


def test_device_file_values_become_device_state(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(
        'read_delay = 0.5\n[[devices]]\ntype = "switch"\nname = "s"\nswitch = "2049"\non = true\n'
        '[[devices]]\ntype = "value"\nname = "v"\nvalue = "1/0/2"\ndpt = "5.001"\n'
    )
    switch, value = load_devices(path)
    assert isinstance(switch, Switch) and isinstance(value, Value)
    assert (switch.switch, switch.on, switch.read_delay) == ("1/0/1", True, 0.5)
    assert value.dpt == "5.001"
