"""Touchlink frames: the bytes we send, and Scan Responses parsed back (property tests)."""

from __future__ import annotations

import contextlib

import pytest
import zigpy.types as zt
from hypothesis import given
from hypothesis import strategies as st
from zigpy.zcl import foundation
from zigpy.zcl.clusters.lightlink import (
    LightLink,
    LogicalType,
    ScanResponseInformation,
    ZigbeeInformation,
)

from gateway.zigbee.touchlink_frames import (
    FrameError,
    identify_request,
    parse_scan_response,
    reset_request,
    scan_request,
)

Server = LightLink.ServerCommandDefs
Client = LightLink.ClientCommandDefs
transactions = st.integers(min_value=1, max_value=0xFFFF_FFFF)
tsns = st.integers(min_value=0, max_value=0xFF)
u8 = st.integers(min_value=0, max_value=0xFF)
u16 = st.integers(min_value=0, max_value=0xFFFF)
u32 = st.integers(min_value=0, max_value=0xFFFF_FFFF)


def decode(frame: bytes, command: object) -> tuple[foundation.ZCLHeader, object]:
    header, payload = foundation.ZCLHeader.deserialize(frame)
    args, rest = command.schema.deserialize(payload)  # type: ignore[attr-defined]
    assert rest == b""
    return header, args


# -- what we send ------------------------------------------------------------------------------


def test_scan_request_bytes_are_those_of_a_zigbee_3_initiator():
    # frame control 0x11: cluster command, client to server, no manufacturer, no default
    # response; tsn; command 0x00; transaction id (little endian); zigbee information 0x04
    # (coordinator, receiver on when idle); touchlink information 0x92 (address
    # assignment, initiator, profile interop).
    assert scan_request(0x12345678, 3) == bytes.fromhex("110300785634120492")


def test_identify_and_reset_request_bytes():
    assert identify_request(0x01020304, 9, 5) == bytes.fromhex("110906040302010500")
    assert reset_request(0x01020304, 9) == bytes.fromhex("11090704030201")


@given(transactions, tsns)
def test_scan_request_decodes_with_zigpys_lightlink_definition(transaction, tsn):
    header, args = decode(scan_request(transaction, tsn), Server.scan)
    assert header.frame_control.is_cluster
    assert header.direction == foundation.Direction.Client_to_Server
    assert header.frame_control.disable_default_response == 1
    assert not header.frame_control.is_manufacturer_specific
    assert (header.tsn, header.command_id) == (tsn, Server.scan.id)
    assert args.inter_pan_transaction_id == transaction
    assert args.zigbee_information.logical_type == LogicalType.Coordinator
    assert args.touchlink_information.touchlink_initiator == 1
    assert args.touchlink_information.factory_new == 0


@given(transactions, tsns, u16)
def test_identify_request_round_trips(transaction, tsn, seconds):
    header, args = decode(identify_request(transaction, tsn, seconds), Server.identify)
    assert header.command_id == Server.identify.id
    assert (args.inter_pan_transaction_id, args.identify_duration) == (transaction, seconds)


@given(transactions, tsns)
def test_reset_request_round_trips(transaction, tsn):
    header, args = decode(reset_request(transaction, tsn), Server.reset_to_factory_new)
    assert header.command_id == Server.reset_to_factory_new.id
    assert args.inter_pan_transaction_id == transaction


@pytest.mark.parametrize("transaction", [0, -1, 0x1_0000_0000])
def test_invalid_transaction_ids_are_refused(transaction):
    for build in (scan_request, reset_request):
        with pytest.raises(ValueError, match="transaction"):
            build(transaction, 0)
    with pytest.raises(ValueError, match="transaction"):
        identify_request(transaction, 0, 5)


def test_identify_duration_out_of_range_is_refused():
    with pytest.raises(ValueError, match="identify duration"):
        identify_request(1, 0, 0x10000)


# -- what we accept ------------------------------------------------------------------------------


@st.composite
def scan_responses(draw):
    """A Scan Response as a target builds it (zigpy's schema), plus the values used."""
    single = draw(st.booleans())
    values = {
        "inter_pan_transaction_id": draw(u32),
        "rssi_correction": draw(st.integers(min_value=0, max_value=0x20)),
        "zigbee_info": ZigbeeInformation(
            logical_type=draw(st.sampled_from(list(LogicalType))),
            rx_on_when_idle=draw(st.integers(0, 1)),
            reserved=0,
        ),
        "touchlink_info": ScanResponseInformation(
            factory_new=draw(st.integers(0, 1)),
            address_assignment=draw(st.integers(0, 1)),
            reserved1=0,
            touchlink_initiator=draw(st.integers(0, 1)),
            touchlink_priority_request=draw(st.integers(0, 1)),
            reserved2=0,
            profile_interop=draw(st.integers(0, 1)),
        ),
        "key_bitmask": draw(u16),
        "response_id": draw(u32),
        "epid": zt.EUI64(draw(st.binary(min_size=8, max_size=8))),
        "nwk_update_id": draw(u8),
        "logical_channel": draw(st.integers(11, 26)),
        "pan_id": draw(u16),
        "nwk_addr": draw(u16),
        "num_sub_devices": 1 if single else draw(st.integers(0, 0xFF).filter(lambda n: n != 1)),
        "total_group_ids": draw(u8),
    }
    if single:
        values |= {
            "endpoint_id": draw(st.integers(1, 240)),
            "profile_id": draw(u16),
            "device_id": draw(u16),
            "version": draw(u8),
            "group_id_count": draw(u8),
        }
    header = foundation.ZCLHeader.cluster(
        tsn=draw(tsns),
        command_id=Client.scan_rsp.id,
        direction=foundation.Direction.Server_to_Client,
    )
    frame = bytes(header.serialize()) + bytes(Client.scan_rsp.schema(**values).serialize())
    return frame, values


@given(scan_responses())
def test_scan_responses_round_trip(case):
    frame, values = case
    response = parse_scan_response(frame)
    assert response.transaction == values["inter_pan_transaction_id"]
    assert response.factory_new is bool(values["touchlink_info"].factory_new)
    assert response.logical_channel == values["logical_channel"]
    assert response.pan_id == values["pan_id"]
    assert response.extended_pan_id == str(values["epid"])
    assert response.nwk_update_id == values["nwk_update_id"]
    assert response.response_id == values["response_id"]
    assert response.rssi_correction == values["rssi_correction"]
    assert response.device_id == values.get("device_id")
    assert response.endpoint == values.get("endpoint_id")


@given(scan_responses(), st.data())
def test_truncated_scan_responses_are_frame_errors(case, data):
    frame, _values = case
    # Cut inside the mandatory part (everything up to total_group_ids).
    cut = data.draw(st.integers(min_value=0, max_value=3 + 26))
    with pytest.raises(FrameError):
        parse_scan_response(frame[:cut])


@given(st.binary(max_size=64))
def test_arbitrary_bytes_never_raise_anything_but_frame_error(data):
    with contextlib.suppress(FrameError):
        parse_scan_response(data)


def test_our_own_scan_request_is_not_taken_for_a_response():
    with pytest.raises(FrameError, match="not sent by a target"):
        parse_scan_response(scan_request(7, 1))


@pytest.mark.parametrize(
    "header",
    [
        foundation.ZCLHeader.general(
            tsn=1, command_id=0x01, direction=foundation.Direction.Server_to_Client
        ),
        foundation.ZCLHeader.cluster(
            tsn=1,
            command_id=Client.scan_rsp.id,
            manufacturer=0x100B,
            direction=foundation.Direction.Server_to_Client,
        ),
        foundation.ZCLHeader.cluster(
            tsn=1,
            command_id=Client.device_info_rsp.id,
            direction=foundation.Direction.Server_to_Client,
        ),
    ],
    ids=["global command", "manufacturer specific", "device information response"],
)
def test_other_frames_are_refused(header):
    with pytest.raises(FrameError):
        parse_scan_response(bytes(header.serialize()) + bytes(40))
