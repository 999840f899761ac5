"""The in-process Python API other tests and the HIL suite build on."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import zigpy_znp.commands as c

from .conftest import LIGHT_1, JoinedRig, JoinListener, Rig, eventually


async def test_wait_for_frame_returns_a_request_the_host_already_sent(joined: JoinedRig) -> None:
    emu, app = await joined()
    mark = emu.frame_mark()
    await app.get_device(ieee=LIGHT_1).endpoints[11].on_off.off()
    request = await emu.wait_for_frame(
        c.AF.DataRequestExt.Req(partial=True, ClusterId=0x0006), timeout=1, since=mark
    )
    assert request.DstAddrModeAddress.address == emu.device(LIGHT_1).nwk
    assert request.Data[2] == 0x00  # ZCL command "off"


async def test_wait_for_frame_waits_for_a_future_request(joined: JoinedRig) -> None:
    emu, app = await joined()
    waiter = asyncio.ensure_future(
        emu.wait_for_frame(lambda cmd: isinstance(cmd, c.ZDO.MgmtPermitJoinReq.Req), timeout=2)
    )
    await asyncio.sleep(0)
    await app.permit(5)
    request = await waiter
    assert request.Duration == 5


async def test_wait_for_frame_times_out_when_nothing_matches(rig: Rig) -> None:
    emu = await rig.emulator()
    await rig.znp(emu)
    with pytest.raises(TimeoutError):
        await emu.wait_for_frame(c.SYS.ResetReq.Req(partial=True), timeout=0.1)


async def test_joined_light_and_its_state_survive_an_emulator_restart(rig: Rig) -> None:
    config = rig.config(lights=1)
    emu = await rig.emulator(config)
    app = await rig.app(emu)
    await app.permit(30)
    light = emu.device(LIGHT_1)
    await eventually(lambda: light.nwk is not None)
    level = light.endpoint.cluster(0x0008)
    assert level is not None
    level.set("current_level", 42)
    nwk = light.nwk
    await app.shutdown()
    rig.apps.remove(app)
    await emu.stop()
    rig.emulators.remove(emu)

    again = await rig.emulator(config)
    restored = again.device(LIGHT_1)
    assert restored.nwk == nwk and not restored.factory_new
    app = await rig.app(again)
    listener = JoinListener()
    app.add_listener(listener)
    # zigpy without a database learns the lamp when it announces (power cycle), at the
    # address it kept, and finds the state it kept.
    again.set_online(LIGHT_1, False)
    again.set_online(LIGHT_1, True)
    device = await asyncio.wait_for(listener.initialized.get(), 5)
    assert (device.ieee, device.nwk) == (LIGHT_1, nwk)
    values, _ = await device.endpoints[11].level.read_attributes(["current_level"])
    assert values == {"current_level": 42}


async def test_stop_leaves_the_final_state_on_disk_while_periodic_saves_run(rig: Rig) -> None:
    config = rig.config(lights=1, save_interval=0.001)  # the saver writes all the time
    for level in (11, 22, 33):
        emu = await rig.emulator(config)
        server = emu.device(LIGHT_1).endpoint.cluster(0x0008)
        assert server is not None
        server.set("current_level", level)
        await asyncio.sleep(0.02)
        await emu.stop()
        rig.emulators.remove(emu)
        saved = json.loads(config.state_file.read_text())  # type: ignore[union-attr]
        assert saved["devices"][str(LIGHT_1)]["clusters"]["0x0008"]["current_level"] == level
        leftovers = list(config.state_file.parent.glob(".*.tmp"))  # type: ignore[union-attr]
        assert leftovers == []


async def test_every_mt_frame_is_logged_at_debug_level(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    emu = await rig.emulator()
    znp = await rig.znp(emu)
    with caplog.at_level(logging.DEBUG, logger="hil.emulators.znp.mt"):
        await znp.request(c.SYS.Version.Req())
    lines = [r.getMessage() for r in caplog.records if r.name == "hil.emulators.znp.mt"]
    assert "MT <- SYS.Version.Req()" in lines
    assert any(line.startswith("MT -> SYS.Version.Rsp(") for line in lines)


async def test_state_is_plain_json_with_network_devices_and_fades(joined: JoinedRig) -> None:
    emu, app = await joined()
    await (
        app.get_device(ieee=LIGHT_1).endpoints[11].level.move_to_level(level=20, transition_time=30)
    )
    state = json.loads(json.dumps(emu.state()))  # no custom encoder needed
    (light,) = state["devices"]
    assert light["joined"] is True and light["reachable"] is True
    assert light["nwk"] == f"0x{emu.device(LIGHT_1).nwk:04x}"
    assert light["transitions"][0]["target"] == {"current_level": 20}
    assert state["network"]["frame_counter"] > 0
    assert state["coordinator"]["endpoints"] == [1, 2, 242]
