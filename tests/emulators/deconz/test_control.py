"""The control socket and the command line of ``python -m hil.emulators.deconz``."""

from __future__ import annotations

from pathlib import Path

import pytest

from hil.emulators.deconz.control import ControlClient, ControlError, ControlServer
from hil.virtual_radio import VirtualRadio, VirtualRadioError

from .conftest import LIGHT_1, Rig, eventually


async def test_control_commands_drive_the_emulator(rig: Rig, tmp_path: Path) -> None:
    emu = await rig.emulator(lights=1)
    server = ControlServer(emu, tmp_path / "ctl.sock")
    await server.start()
    try:
        async with ControlClient(tmp_path / "ctl.sock") as ctl:
            assert await ctl.request("ping") == "pong"
            assert await ctl.request("device_off", ieee=str(LIGHT_1)) == {
                "ieee": str(LIGHT_1),
                "online": False,
            }
            assert emu.device(LIGHT_1).online is False
            state = await ctl.request("state")
            assert state["stick"]["firmware_version"] == "0x26780700"
            assert state["network"]["channel"] == 15
            assert await ctl.request("unplug") == {"plugged": False}
            assert not emu.port.is_open
            replugged = await ctl.request("replug")
            assert replugged["plugged"] is True and emu.port.is_open
            await ctl.request("reset", reason="watchdog")
            await eventually(lambda: emu.port.is_open)
            assert emu.firmware.stats.resets == 1
            with pytest.raises(ControlError, match="reason must be one of"):
                await ctl.request("reset", reason="lightning")
            with pytest.raises(ControlError, match="unknown cmd"):
                await ctl.request("fly")
    finally:
        await server.stop()


async def test_a_bad_flag_stops_the_emulator_before_it_opens_anything(tmp_path: Path) -> None:
    radio = VirtualRadio(tmp_path / "radio", kind="deconz", extra_args=("--energy", "99=1"))
    with pytest.raises(VirtualRadioError, match="did not start"):
        await radio.start()
    assert not radio.running
    assert "--energy '99=1'" in (tmp_path / "radio" / "emulator.log").read_text()
