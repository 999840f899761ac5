"""The virtual rig runs both emulators in ONE child, started alongside the gateway's start-up."""

from __future__ import annotations

from pathlib import Path

from gateway.app import Gateway
from gateway.app.systemd import SystemdNotifier
from gateway.domain.radio import RadioState
from hil.virtual_rig import VirtualRig
from tests.helpers.gateway_settings import gateway_settings as settings_for
from tests.helpers.processes import our_children
from tests.helpers.servers import free_port
from tests.helpers.waiting import until


def rig_children(directory: Path) -> list[int]:
    """Our child processes running a virtual rig kept under ``directory`` (this test's)."""
    return our_children(b"hil.", str(directory).encode())


async def test_one_child_serves_the_stick_and_the_knx_interface(tmp_path):
    rig = VirtualRig(tmp_path / "rig", lights=1)
    addresses = await rig.start()
    try:
        assert rig_children(tmp_path) == [rig.pid]
        assert addresses.radio_path is not None and Path(addresses.radio_path).exists()
        assert addresses.knx_port is not None and addresses.knx_port > 0
    finally:
        await rig.stop()
    assert rig_children(tmp_path) == []


async def test_a_rig_without_knx_runs_only_the_stick(tmp_path):
    rig = VirtualRig(tmp_path / "rig", lights=1, knx=False)
    addresses = await rig.start()
    try:
        assert addresses.radio_path is not None and addresses.knx_port is None
    finally:
        await rig.stop()


async def test_the_gateway_drives_both_virtual_buses_through_one_child(tmp_path):
    settings = settings_for(
        tmp_path,
        GATEWAY_RADIO_KIND="virtual",
        GATEWAY_RADIO_VIRTUAL_LIGHTS="1",
        GATEWAY_KNX_MODE="virtual",
        GATEWAY_HTTP_WEBSOCKET_PORT=str(free_port()),
    )
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        assert len(rig_children(tmp_path)) == 1
        supervisor = gateway.zigbee
        # zigpy-znp reaches the stick and xknx the KNX interface, both in that one child.
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=60)
        await until(lambda: "knx: connected" in gateway.status_line(), timeout=30)
    finally:
        await gateway.stop()
    assert rig_children(tmp_path) == []


async def test_the_conbee_stick_runs_in_the_same_one_child(tmp_path):
    rig = VirtualRig(tmp_path / "rig", stick="deconz", lights=1)
    addresses = await rig.start()
    try:
        assert rig_children(tmp_path) == [rig.pid]
        assert addresses.radio_path is not None and Path(addresses.radio_path).exists()
        assert addresses.radio_path.endswith("ttyConBee")
        assert addresses.knx_port is not None
    finally:
        await rig.stop()
    assert rig_children(tmp_path) == []


async def test_the_gateway_drives_a_virtual_conbee_from_the_rig_with_zigpy_deconz(tmp_path):
    settings = settings_for(
        tmp_path,
        GATEWAY_RADIO_KIND="virtual-deconz",
        GATEWAY_RADIO_VIRTUAL_LIGHTS="1",
        GATEWAY_HTTP_WEBSOCKET_PORT=str(free_port()),
    )
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        assert len(rig_children(tmp_path)) == 1
        supervisor = gateway.zigbee
        assert supervisor.config.kind == "deconz"  # driven like a ConBee on radio.kind deconz
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=60)
    finally:
        await gateway.stop()
    assert rig_children(tmp_path) == []
    assert (tmp_path / "state" / "virtual-deconz" / "deconz-state.json").exists()
