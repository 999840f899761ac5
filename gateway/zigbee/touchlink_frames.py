"""Touchlink (ZLL commissioning) frames: what we send and what we accept, as ZCL bytes.

Why a module of its own: the frames are pure data (no radio, no time), so they can be
checked byte for byte and round-tripped by property tests, while the algorithm that
sends them (``gateway.zigbee.touchlink``) stays about timing and channels. The layouts
are zigpy's own LightLink cluster definitions; only the header rules of inter-PAN
commissioning are ours: cluster-specific, client to server, no manufacturer code and
default response disabled (a target never sends a Default Response over inter-PAN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation
from zigpy.zcl.clusters.lightlink import (
    LightLink,
    LogicalType,
    ScanRequestInformation,
    ZigbeeInformation,
)

CLUSTER_ID = int(LightLink.cluster_id)  # 0x1000
TARGET_ENDPOINT = 0xFE  # inter-PAN frames are addressed to the "inter-PAN endpoint"
BROADCAST_PAN = 0xFFFF
TRANSACTION_MAX = 0xFFFF_FFFF
IDENTIFY_DEFAULT = 0xFFFF  # "identify for the target's default time"

_Server = LightLink.ServerCommandDefs
_Client = LightLink.ClientCommandDefs


@dataclass(frozen=True)
class InterPanMessage:
    """An inter-PAN frame as a radio received it, before anyone looked inside."""

    source: str  # the sender's IEEE address, "00:17:88:01:00:bf:bf:ed"
    pan_id: int  # the PAN the sender is in (0xFFFF when it is in none)
    rssi: int | None  # dBm, when the radio reports (or estimates) it
    data: bytes  # the ZCL frame


class FrameError(ValueError):
    """Bytes that are not the touchlink answer we wait for (ignored, never fatal)."""


@dataclass(frozen=True)
class ScanResponse:
    """The fields of a Scan Response the gateway uses (plus what the API shows)."""

    transaction: int
    factory_new: bool
    logical_channel: int
    pan_id: int
    extended_pan_id: str
    nwk_update_id: int
    response_id: int
    rssi_correction: int
    device_id: int | None  # only when the target has one sub-device
    endpoint: int | None


def _header(tsn: int, command_id: int) -> bytes:
    control = foundation.FrameControl(
        frame_type=foundation.FrameType.CLUSTER_COMMAND,
        is_manufacturer_specific=0,
        direction=foundation.Direction.Client_to_Server,
        disable_default_response=1,
        reserved=0,
    )
    header = foundation.ZCLHeader(frame_control=control, tsn=tsn & 0xFF, command_id=command_id)
    return bytes(header.serialize())


def _check_transaction(transaction: int) -> None:
    # 0 is not a valid inter-PAN transaction identifier (ZLL 7.1.2.1: a random non-zero value).
    if not 0 < transaction <= TRANSACTION_MAX:
        raise ValueError(f"inter-PAN transaction id must be 1..0xFFFFFFFF, got {transaction}")


def scan_request(transaction: int, tsn: int) -> bytes:
    """A Scan Request from a coordinator that can assign addresses (a Zigbee 3.0 initiator)."""
    _check_transaction(transaction)
    body = _Server.scan.schema(
        inter_pan_transaction_id=transaction,
        zigbee_information=ZigbeeInformation(
            logical_type=LogicalType.Coordinator, rx_on_when_idle=1, reserved=0
        ),
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
    return _header(tsn, int(_Server.scan.id)) + bytes(body.serialize())


def identify_request(transaction: int, tsn: int, seconds: int = IDENTIFY_DEFAULT) -> bytes:
    """Identify Request: blink for ``seconds`` (0 stops, 0xFFFF is the target's default)."""
    _check_transaction(transaction)
    if not 0 <= seconds <= 0xFFFF:
        raise ValueError(f"identify duration must be 0..65535 s, got {seconds}")
    body = _Server.identify.schema(inter_pan_transaction_id=transaction, identify_duration=seconds)
    return _header(tsn, int(_Server.identify.id)) + bytes(body.serialize())


def reset_request(transaction: int, tsn: int) -> bytes:
    """Reset to Factory New Request: the target leaves its network and forgets it."""
    _check_transaction(transaction)
    body = _Server.reset_to_factory_new.schema(inter_pan_transaction_id=transaction)
    return _header(tsn, int(_Server.reset_to_factory_new.id)) + bytes(body.serialize())


def parse_scan_response(data: bytes) -> ScanResponse:
    """A Scan Response from a target; FrameError for anything else (or anything broken)."""
    try:
        header, payload = foundation.ZCLHeader.deserialize(data)
    except (ValueError, KeyError) as exc:
        raise FrameError(f"not a ZCL frame: {exc}") from None
    control = header.frame_control
    if not control.is_cluster or control.is_manufacturer_specific:
        raise FrameError("not a touchlink cluster command")
    if header.direction != foundation.Direction.Server_to_Client:
        raise FrameError("not sent by a target")
    if header.command_id != _Client.scan_rsp.id:
        raise FrameError(f"command 0x{header.command_id:02x} is not a scan response")
    body: Any
    try:
        body, _rest = _Client.scan_rsp.schema.deserialize(payload)
    except (ValueError, KeyError) as exc:
        raise FrameError(f"malformed scan response: {exc}") from None
    single = int(body.num_sub_devices) == 1
    device_id = getattr(body, "device_id", None) if single else None
    endpoint = getattr(body, "endpoint_id", None) if single else None
    return ScanResponse(
        transaction=int(body.inter_pan_transaction_id),
        factory_new=bool(body.touchlink_info.factory_new),
        logical_channel=int(body.logical_channel),
        pan_id=int(body.pan_id),
        extended_pan_id=str(zt.EUI64(body.epid)),
        nwk_update_id=int(body.nwk_update_id),
        response_id=int(body.response_id),
        rssi_correction=int(body.rssi_correction),
        device_id=None if device_id is None else int(device_id),
        endpoint=None if endpoint is None else int(endpoint),
    )
