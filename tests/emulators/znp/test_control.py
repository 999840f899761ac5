"""The JSON-lines control socket, in process and through the real CLI process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import zigpy_znp.commands as c

from hil.emulators.znp import ZnpEmulator
from hil.emulators.znp.control import ControlClient, ControlError, ControlServer

from .conftest import LIGHT_1, JoinedRig, Rig, eventually, znp_config


@pytest.fixture
async def control(rig: Rig, tmp_path: Path) -> AsyncIterator[tuple[ZnpEmulator, Path]]:
    emu = await rig.emulator(lights=1)
    server = ControlServer(emu, tmp_path / "ctl.sock")
    await server.start()
    try:
        yield emu, server.path
    finally:
        await server.stop()


async def test_state_reports_coordinator_network_devices_and_frames(
    control: tuple[ZnpEmulator, Path], rig: Rig
) -> None:
    emu, path = control
    app = await rig.app(emu)
    async with ControlClient(path) as client:
        state = await client.request("state", frames=5)
    assert state["coordinator"]["running"] is True
    assert state["coordinator"]["host_connected"] is True
    assert state["network"]["pan_id"] == f"0x{app.state.network_info.pan_id:04x}"
    assert state["network"]["channel"] == app.state.network_info.channel
    (device,) = state["devices"]
    assert device["ieee"] == str(LIGHT_1) and device["factory_new"] is True
    assert device["clusters"]["0x0006"]["attributes"]["on_off"] is True
    assert state["frames"]["received"] > 0 and len(state["frames"]["recent"]) == 5


async def test_device_off_and_on_commands_switch_mains_power(
    control: tuple[ZnpEmulator, Path],
) -> None:
    emu, path = control
    async with ControlClient(path) as client:
        assert await client.request("device_off", ieee=str(LIGHT_1)) == {
            "ieee": str(LIGHT_1),
            "online": False,
        }
        assert emu.device(LIGHT_1).online is False
        await client.request("device_on", ieee=str(LIGHT_1))
        assert emu.device(LIGHT_1).online is True


async def test_unknown_command_and_unknown_device_are_refused(
    control: tuple[ZnpEmulator, Path],
) -> None:
    _, path = control
    async with ControlClient(path) as client:
        with pytest.raises(ControlError, match="unknown cmd"):
            await client.request("explode")
        with pytest.raises(ControlError, match="no simulated device"):
            await client.request("device_off", ieee="00:00:00:00:00:00:00:09")
        assert await client.request("ping") == "pong"  # the connection survives


async def test_malformed_request_line_gets_an_error_answer(
    control: tuple[ZnpEmulator, Path],
) -> None:
    _, path = control
    reader, writer = await asyncio.open_unix_connection(str(path))
    writer.write(b"{not json\n[1, 2]\n")
    first = json.loads(await reader.readline())
    second = json.loads(await reader.readline())
    writer.close()
    assert first["ok"] is False and second["ok"] is False
    assert "JSON object" in second["error"]


async def test_join_command_joins_only_while_permit_is_open(
    control: tuple[ZnpEmulator, Path], rig: Rig
) -> None:
    emu, path = control
    app = await rig.app(emu)
    async with ControlClient(path) as client:
        assert (await client.request("join", ieee=str(LIGHT_1)))["joined"] is False
        await app.permit(30)
        await eventually(lambda: not emu.device(LIGHT_1).factory_new)


async def test_frames_command_lists_frames_after_a_mark(joined: JoinedRig, tmp_path: Path) -> None:
    emu, app = await joined()
    server = ControlServer(emu, tmp_path / "f.sock")
    await server.start()
    try:
        mark = emu.frame_mark()
        await app.get_device(ieee=LIGHT_1).endpoints[11].on_off.off()
        async with ControlClient(server.path) as client:
            frames = await client.request("frames", since=mark)
        texts = [f["frame"] for f in frames]
        assert any(t.startswith("rx AF.DataRequestExt.Req") for t in texts)
        assert any(t.startswith("tx AF.DataConfirm.Callback") for t in texts)
    finally:
        await server.stop()


async def _read_ready(process: asyncio.subprocess.Process) -> dict[str, str]:
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
    assert line.startswith("ready "), line
    return dict(part.split("=", 1) for part in line.split()[1:])


async def test_cli_process_serves_the_pty_and_obeys_the_control_socket(tmp_path: Path) -> None:
    from zigpy_znp.api import ZNP

    link, sock, state = tmp_path / "zigbee", tmp_path / "ctl.sock", tmp_path / "state.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hil.emulators.znp",
        "--link", str(link),
        "--lights", "2",
        "--state", str(state),
        "--control", str(sock),
        "--touchlink-target", "channel=20,type=color_temperature",
        "--fast",
        "--log-level", "warning",
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    try:
        ready = await _read_ready(process)
        assert ready["path"] == str(link) and os.path.realpath(link) == ready["pty"]
        znp = ZNP(znp_config(str(link)))
        await znp.connect()
        assert (await znp.request(c.SYS.Version.Req())).MajorRel == 2
        async with ControlClient(sock) as client:
            devices = (await client.request("state"))["devices"]
            assert [d["touchlink_target"] for d in devices] == [False, False, True]
            await client.request("unplug")
            await eventually(lambda: not os.path.lexists(link))
            await znp.disconnect()
            replugged = await client.request("replug")
            assert os.path.realpath(link) == replugged["pty"]
        znp = ZNP(znp_config(str(link)))
        await znp.connect()
        await znp.request(c.SYS.Ping.Req())
        await znp.disconnect()
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    saved = json.loads(state.read_text())
    assert saved["format"] == 1 and "NIB" not in saved["nvram"]["LEGACY"]  # never formed
    assert not sock.exists() and not os.path.lexists(link)


async def test_cli_rejects_a_bad_touchlink_target_naming_the_flag(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hil.emulators.znp",
        "--touchlink-target",
        "channel=40",
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3],
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert b"--touchlink-target" in stderr and b"channel" in stderr
