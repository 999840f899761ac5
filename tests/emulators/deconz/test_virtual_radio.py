"""The virtual ConBee as the gateway would run it: a child process (``hil.child``) behind
``VirtualRadio(kind="deconz")``, driven by the unmodified zigpy-deconz."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hil.virtual_radio import VirtualRadio, virtual_stick

from .conftest import join_all, start_app

ON_OFF = 0x0006


async def test_virtual_conbee_child_forms_joins_and_obeys_zigpy_deconz(tmp_path: Path) -> None:
    radio = VirtualRadio(tmp_path / "radio", lights=1, fast=True, kind="deconz")
    path = await radio.start()
    try:
        assert path == str(radio.link) and radio.link.name == "ttyConBee"
        assert os.path.realpath(path).startswith("/dev/pts/")
        assert await radio.command("ping") == "pong"
        app = await start_app(path, channel=25)
        try:
            (lamp,) = await join_all(app, 1)
            await lamp.endpoints[11].on_off.off()
            device = await radio.command("device", ieee=str(lamp.ieee))
            assert device["clusters"]["0x0006"]["attributes"]["on_off"] is False
            state = await radio.command("state")
            assert state["stick"]["network_state"] == "CONNECTED"
            assert state["network"]["channel"] == 25
        finally:
            await app.shutdown()
    finally:
        await radio.stop()
    assert not radio.running
    assert radio.state_file.exists()


async def test_the_virtual_conbee_survives_a_restart_with_its_network(tmp_path: Path) -> None:
    radio = VirtualRadio(tmp_path / "radio", lights=0, fast=True, kind="deconz")
    app = await start_app(await radio.start(), channel=20)
    before = app.state.network_info
    await app.shutdown()
    await radio.stop()
    again = await start_app(await radio.start())
    try:
        after = again.state.network_info
        assert (after.pan_id, after.extended_pan_id, after.channel) == (
            before.pan_id,
            before.extended_pan_id,
            20,
        )
    finally:
        await again.shutdown()
        await radio.stop()


def test_an_unknown_stick_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown virtual stick kind"):
        VirtualRadio(tmp_path, kind="ember")


def test_virtual_settings_map_to_the_stick_and_the_radio_kind_that_drives_it(
    tmp_path: Path,
) -> None:
    radio, kind = virtual_stick("virtual-deconz", tmp_path, lights=2)
    assert (radio.kind, kind, radio.directory) == ("deconz", "deconz", tmp_path / "virtual-deconz")
    assert radio.command_line()[1:3] == ["-m", "hil.emulators.deconz"]
    radio, kind = virtual_stick("virtual", tmp_path, lights=2)
    assert (radio.kind, kind, radio.directory) == ("znp", "virtual", tmp_path / "virtual-radio")
    with pytest.raises(ValueError, match="not a virtual radio kind"):
        virtual_stick("deconz", tmp_path, lights=0)
