"""ZCL frames for simulated devices, built and parsed with zigpy's own definitions.

Why zigpy's types: the gateway talks to the emulator through zigpy, so frames must be
exactly what zigpy produces and accepts; reusing ``zigpy.zcl.foundation`` and the cluster
command/attribute definitions keeps the emulator from drifting from the library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation as f

Status = f.Status


@dataclass(frozen=True)
class ZclRequest:
    """A parsed incoming ZCL frame (header plus undecoded payload)."""

    header: f.ZCLHeader
    payload: bytes

    @property
    def tsn(self) -> int:
        return int(self.header.tsn)

    @property
    def command_id(self) -> int:
        return int(self.header.command_id)

    @property
    def is_general(self) -> bool:
        return bool(self.header.frame_control.is_general)

    @property
    def manufacturer(self) -> int | None:
        return None if self.header.manufacturer is None else int(self.header.manufacturer)

    @property
    def wants_default_response(self) -> bool:
        return not self.header.frame_control.disable_default_response

    @property
    def to_server(self) -> bool:
        return bool(self.header.direction == f.Direction.Client_to_Server)

    @property
    def reply_direction(self) -> f.Direction:
        return f.Direction(self.header.direction).flip()


@dataclass(frozen=True)
class ClusterResponse:
    """A cluster-specific response command (e.g. Groups add_response)."""

    command_id: int
    payload: bytes


#: What a command handler returns: a status for the Default Response, a specific
#: response frame (which replaces the Default Response, as the ZCL requires), or None
#: when the command is answered by nothing at all (e.g. an OTA Image Notify).
Reply = f.Status | ClusterResponse | None

TO_CLIENT = f.Direction.Server_to_Client


def parse(data: bytes) -> ZclRequest:
    """Raises ``ValueError`` for a frame too short to hold a ZCL header."""
    header, payload = f.ZCLHeader.deserialize(data)
    return ZclRequest(header, payload)


def _header(tsn: int, command_id: int, *, general: bool, direction: f.Direction) -> f.ZCLHeader:
    # Responses and reports never ask for a Default Response back.
    control = f.FrameControl(
        frame_type=f.FrameType.GLOBAL_COMMAND if general else f.FrameType.CLUSTER_COMMAND,
        is_manufacturer_specific=0,
        direction=direction,
        disable_default_response=1,
        reserved=0,
    )
    return f.ZCLHeader(frame_control=control, tsn=tsn, command_id=command_id)


def general_frame(
    tsn: int, command: f.GeneralCommand, payload: bytes, direction: f.Direction = TO_CLIENT
) -> bytes:
    """A global command frame sent by the device (responses and reports)."""
    return bytes(_header(tsn, command, general=True, direction=direction).serialize()) + payload


def cluster_frame(
    tsn: int, command_id: int, payload: bytes, direction: f.Direction = TO_CLIENT
) -> bytes:
    header = _header(tsn, command_id, general=False, direction=direction)
    return bytes(header.serialize()) + payload


def default_response(
    tsn: int, command_id: int, status: f.Status, direction: f.Direction = TO_CLIENT
) -> bytes:
    body = f.DefaultResponse(command_id=command_id, status=status)
    return general_frame(tsn, f.GeneralCommand.Default_Response, bytes(body.serialize()), direction)


def typed_value(attr: f.ZCLAttributeDef, value: Any) -> f.TypeValue:
    return f.TypeValue(type=attr.zcl_type, value=attr.type(value))


def read_record(attr_id: int, attr: f.ZCLAttributeDef | None, value: Any) -> f.ReadAttributeRecord:
    if attr is None or value is None:
        return f.ReadAttributeRecord(
            attrid=zt.uint16_t(attr_id), status=f.Status.UNSUPPORTED_ATTRIBUTE
        )
    return f.ReadAttributeRecord(
        attrid=zt.uint16_t(attr_id), status=f.Status.SUCCESS, value=typed_value(attr, value)
    )


def read_attributes_response(
    tsn: int, records: list[f.ReadAttributeRecord], direction: f.Direction = TO_CLIENT
) -> bytes:
    schema = f.GENERAL_COMMANDS[f.GeneralCommand.Read_Attributes_rsp].schema
    body = schema(status_records=records)
    return general_frame(
        tsn, f.GeneralCommand.Read_Attributes_rsp, bytes(body.serialize()), direction
    )


def report(tsn: int, values: list[tuple[f.ZCLAttributeDef, Any]]) -> bytes:
    attributes = [f.Attribute(attrid=a.id, value=typed_value(a, v)) for a, v in values]
    body = zt.List[f.Attribute](attributes)
    return general_frame(tsn, f.GeneralCommand.Report_Attributes, bytes(body.serialize()))


def decode_general(request: ZclRequest) -> Any:
    """Decodes the payload of a global command with zigpy's schema."""
    schema = f.GENERAL_COMMANDS[f.GeneralCommand(request.command_id)].schema
    value, _ = schema.deserialize(request.payload)
    return value
