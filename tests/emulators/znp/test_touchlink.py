"""Touchlink targets answer inter-PAN commands the way a ZNP initiator sends them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy.zcl import foundation
from zigpy.zcl.clusters.lightlink import LightLink, ScanRequestInformation, ZigbeeInformation
from zigpy_znp.api import ZNP

from hil.emulators.znp import DeviceKind, ZnpEmulator, parse_target_option

from .conftest import FORMED_CHANNEL, JoinListener, Rig, eventually

INITIATOR_EP = 12
TRANSACTION = 0x12345678
TARGET_FN = parse_target_option("channel=20,type=color_temperature,factory_new=1", 1)
TARGET_OWNED = parse_target_option("channel=25,type=extended_color,factory_new=0", 2)


def zll_frame(command: Any, tsn: int = 0, **fields: Any) -> bytes:
    header = foundation.ZCLHeader.cluster(tsn=tsn, command_id=command.id)
    header.frame_control = header.frame_control.replace(disable_default_response=1)
    return bytes(header.serialize()) + bytes(command.schema(**fields).serialize())


def scan_request(transaction: int = TRANSACTION) -> bytes:
    return zll_frame(
        LightLink.ServerCommandDefs.scan,
        inter_pan_transaction_id=transaction,
        zigbee_information=ZigbeeInformation(logical_type=0, rx_on_when_idle=1, reserved=0),
        touchlink_information=ScanRequestInformation(
            factory_new=0,
            address_assignment=1,
            reserved1=0,
            touchlink_initiator=1,
            undefined=0,
            reserved2=0,
            profile_interop=1,
        ),
    )


async def setup_initiator(znp: ZNP, channel: int) -> None:
    await znp.request(
        c.AF.Register.Req(
            Endpoint=INITIATOR_EP,
            ProfileId=0xC05E,
            DeviceId=0x0840,
            DeviceVersion=2,
            LatencyReq=c.af.LatencyReq.NoLatencyReqs,
            InputClusters=[0x1000],
            OutputClusters=[0x1000],
        ),
        RspStatus=t.Status.SUCCESS,
    )
    await znp.request(
        c.AF.InterPanCtl.Req(Command=t.InterPanCommand.Set, Data=bytes([channel])),
        RspStatus=t.Status.SUCCESS,
    )
    await znp.request(
        c.AF.InterPanCtl.Req(Command=t.InterPanCommand.Reg, Data=bytes([INITIATOR_EP])),
        RspStatus=t.Status.SUCCESS,
    )


async def send_interpan(znp: ZNP, data: bytes, ieee: zt.EUI64 | None = None) -> None:
    address = (
        t.AddrModeAddress(mode=t.AddrMode.NWK, address=0xFFFF)
        if ieee is None
        else t.AddrModeAddress(mode=t.AddrMode.IEEE, address=ieee)
    )
    await znp.request(
        c.AF.DataRequestExt.Req(
            DstAddrModeAddress=address,
            DstEndpoint=0xFE,
            DstPanId=0xFFFF,
            SrcEndpoint=INITIATOR_EP,
            ClusterId=0x1000,
            TSN=1,
            Options=c.af.TransmitOptions.NONE,
            Radius=30,
            Data=data,
        ),
        RspStatus=t.Status.SUCCESS,
    )


async def scan(znp: ZNP, timeout: float = 0.5) -> list[Any]:
    """Broadcasts a Scan Request and collects the answers for ``timeout`` seconds."""
    answers: list[Any] = []
    listener = znp.callback_for_response(
        c.AF.IncomingMsgExt.Callback(partial=True, ClusterId=0x1000), answers.append
    )
    try:
        await send_interpan(znp, scan_request())
        await asyncio.sleep(timeout)
    finally:
        znp.remove_listener(listener)
    return answers


def decode_scan_response(message: Any) -> Any:
    header, payload = foundation.ZCLHeader.deserialize(bytes(message.Data))
    assert header.command_id == LightLink.ClientCommandDefs.scan_rsp.id
    assert header.direction == foundation.Direction.Server_to_Client
    response, _ = LightLink.ClientCommandDefs.scan_rsp.schema.deserialize(payload)
    return response


async def initiator(rig: Rig) -> tuple[ZnpEmulator, ZNP]:
    emu = await rig.emulator(touchlink_targets=[TARGET_FN, TARGET_OWNED])
    znp = await rig.znp(emu)
    return emu, znp


async def test_scan_on_the_target_channel_gets_a_realistic_scan_response(rig: Rig) -> None:
    _emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=20)
    (message,) = await scan(znp)
    assert message.SrcAddrModeAddress == t.AddrModeAddress(
        mode=t.AddrMode.IEEE, address=TARGET_FN.ieee
    )
    assert (message.SrcEndpoint, message.DstEndpoint, message.SrcPanId) == (0xFE, 12, 0xFFFF)
    response = decode_scan_response(message)
    assert response.inter_pan_transaction_id == TRANSACTION
    assert response.touchlink_info.factory_new == 1
    assert response.zigbee_info.logical_type == 1  # router
    assert response.logical_channel == 20
    assert response.num_sub_devices == 1
    assert response.endpoint_id == TARGET_FN.endpoint
    assert response.profile_id == 0x0104
    assert response.device_id == 0x010C  # colour temperature light
    assert response.response_id != 0


async def test_target_in_a_network_reports_it_and_is_not_factory_new(rig: Rig) -> None:
    emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=25)
    (message,) = await scan(znp)
    response = decode_scan_response(message)
    network = emu.device(TARGET_OWNED.ieee).membership
    assert network is not None
    assert response.touchlink_info.factory_new == 0
    assert response.epid == network.network.extended_pan_id
    assert response.pan_id == network.network.pan_id == message.SrcPanId


async def test_targets_on_other_channels_stay_silent(rig: Rig) -> None:
    _emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=15)
    assert await scan(znp, timeout=0.2) == []


async def test_identify_request_after_a_scan_makes_the_target_blink(rig: Rig) -> None:
    emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=20)
    await scan(znp, timeout=0.1)
    identify = zll_frame(
        LightLink.ServerCommandDefs.identify,
        inter_pan_transaction_id=TRANSACTION,
        identify_duration=5,
    )
    await send_interpan(znp, identify, ieee=TARGET_FN.ieee)
    target = emu.device(TARGET_FN.ieee)
    await eventually(lambda: target.endpoint.identifying())
    state = next(d for d in emu.state()["devices"] if d["ieee"] == str(TARGET_FN.ieee))
    assert state["effect"] == "touchlink_identify"


async def test_identify_with_a_foreign_transaction_is_ignored(rig: Rig) -> None:
    emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=20)
    await scan(znp, timeout=0.1)
    identify = zll_frame(
        LightLink.ServerCommandDefs.identify,
        inter_pan_transaction_id=TRANSACTION + 1,
        identify_duration=5,
    )
    await send_interpan(znp, identify, ieee=TARGET_FN.ieee)
    await asyncio.sleep(0.1)
    assert not emu.device(TARGET_FN.ieee).endpoint.identifying()


async def test_reset_to_factory_new_makes_the_target_leave_its_network(rig: Rig) -> None:
    emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=25)
    await scan(znp, timeout=0.1)
    reset = zll_frame(
        LightLink.ServerCommandDefs.reset_to_factory_new,
        inter_pan_transaction_id=TRANSACTION,
    )
    await send_interpan(znp, reset, ieee=TARGET_OWNED.ieee)
    target = emu.device(TARGET_OWNED.ieee)
    await eventually(lambda: target.factory_new)
    (message,) = await scan(znp)
    assert decode_scan_response(message).touchlink_info.factory_new == 1


async def test_target_reset_while_joins_are_open_joins_our_network(rig: Rig) -> None:
    emu = await rig.emulator(touchlink_targets=[TARGET_OWNED])
    app = await rig.app(emu)
    listener = JoinListener()
    app.add_listener(listener)
    await app.permit(30)
    await asyncio.sleep(0.2)
    target = emu.device(TARGET_OWNED.ieee)
    assert not target.factory_new and target.network != emu.stack.air_network  # still owned
    target.factory_reset()  # what a touchlink reset (or the control command) does
    device = await asyncio.wait_for(listener.initialized.get(), 5)
    assert device.ieee == TARGET_OWNED.ieee
    assert target.channel == FORMED_CHANNEL


async def test_inter_pan_channel_takes_the_radio_off_the_network_until_cleared(
    rig: Rig,
) -> None:
    emu = await rig.emulator()
    znp = await rig.znp(emu)
    await znp.request_callback_rsp(
        request=c.AppConfig.BDBStartCommissioning.Req(
            Mode=c.app_config.BDBCommissioningMode.NwkFormation
        ),
        RspStatus=t.Status.SUCCESS,
        callback=c.ZDO.StateChangeInd.Callback(State=t.DeviceState.StartedAsCoordinator),
    )
    assert emu.stack.air_channel == FORMED_CHANNEL
    await setup_initiator(znp, channel=20)
    assert emu.stack.air_channel == 20
    await znp.request(
        c.AF.InterPanCtl.Req(Command=t.InterPanCommand.Clr, Data=b""),
        RspStatus=t.Status.SUCCESS,
    )
    assert emu.stack.air_channel == FORMED_CHANNEL


@pytest.mark.parametrize("kind", [DeviceKind.ON_OFF_PLUG])
async def test_plugs_cannot_be_touchlink_targets(kind: DeviceKind) -> None:
    with pytest.raises(ValueError, match="touchlink target"):
        parse_target_option(f"channel=11,type={kind}", 1)


async def test_device_information_request_lists_the_target_endpoint(rig: Rig) -> None:
    _emu, znp = await initiator(rig)
    await setup_initiator(znp, channel=20)
    await scan(znp, timeout=0.1)
    answers: list[Any] = []
    listener = znp.callback_for_response(
        c.AF.IncomingMsgExt.Callback(partial=True, ClusterId=0x1000), answers.append
    )
    request = zll_frame(
        LightLink.ServerCommandDefs.device_info,
        inter_pan_transaction_id=TRANSACTION,
        start_index=0,
    )
    await send_interpan(znp, request, ieee=TARGET_FN.ieee)
    await eventually(lambda: bool(answers))
    znp.remove_listener(listener)
    header, payload = foundation.ZCLHeader.deserialize(bytes(answers[0].Data))
    assert header.command_id == LightLink.ClientCommandDefs.device_info_rsp.id
    info, _ = LightLink.ClientCommandDefs.device_info_rsp.schema.deserialize(payload)
    (record,) = info.device_info_records
    assert info.inter_pan_transaction_id == TRANSACTION
    assert (record.ieee, record.endpoint_id, record.device_id) == (
        TARGET_FN.ieee,
        TARGET_FN.endpoint,
        0x010C,
    )
