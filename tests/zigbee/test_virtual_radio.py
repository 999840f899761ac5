"""The virtual radio launcher: the emulator child process behind ``radio.kind = "virtual"``."""

from __future__ import annotations

import os

import pytest

from hil.virtual_radio import VirtualRadio, VirtualRadioError


async def test_the_virtual_stick_appears_at_its_link_and_answers_control_commands(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=2, fast=True)
    path = await radio.start()
    try:
        assert path == str(radio.link)
        assert os.path.realpath(path).startswith("/dev/pts/")
        assert await radio.command("ping") == "pong"
        state = await radio.command("state")
        assert len(state["devices"]) == 2
    finally:
        await radio.stop()
    assert not radio.running


async def test_stopping_keeps_the_emulator_state_for_the_next_start(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=1, fast=True)
    await radio.start()
    await radio.stop()
    assert radio.state_file.exists()


async def test_a_control_command_the_emulator_refuses_raises(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", lights=0, fast=True)
    await radio.start()
    try:
        with pytest.raises(VirtualRadioError):
            await radio.command("device_off", ieee="00:00:00:00:00:00:00:09")
    finally:
        await radio.stop()


async def test_an_emulator_that_cannot_start_is_a_clear_error(tmp_path):
    radio = VirtualRadio(tmp_path / "radio", extra_args=("--energy", "99=1"))
    with pytest.raises(VirtualRadioError, match="did not start"):
        await radio.start()
    assert not radio.running
