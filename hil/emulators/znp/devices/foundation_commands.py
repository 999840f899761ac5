"""ZCL global ("foundation") commands a simulated cluster answers: read, write,
configure reporting and discover attributes, as one handler table.

Why separate from the clusters: these commands work on any cluster's attribute table
the same way; the clusters only define attributes and their own commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zigpy.zcl import foundation as f

from . import zcl
from .endpoint import ReportConfig

if TYPE_CHECKING:
    from .cluster import ClusterServer

GeneralHandler = Callable[["ClusterServer", zcl.ZclRequest], "bytes | None"]


def handle(server: ClusterServer, request: zcl.ZclRequest) -> bytes | None:
    """The reply frame for a global command, or None when none is due."""
    command = request.command_id
    direction = request.reply_direction
    if request.manufacturer is not None:
        status = f.Status.UNSUP_MANUF_GENERAL_COMMAND
        return zcl.default_response(request.tsn, command, status, direction)
    if command == f.GeneralCommand.Default_Response:
        return None
    handler = GENERAL.get(command)
    if handler is None:
        status = f.Status.UNSUP_GENERAL_COMMAND
        return zcl.default_response(request.tsn, command, status, direction)
    try:
        return handler(server, request)
    except (ValueError, KeyError):
        return zcl.default_response(request.tsn, command, f.Status.MALFORMED_COMMAND, direction)


def read_attributes(server: ClusterServer, request: zcl.ZclRequest) -> bytes:
    args = zcl.decode_general(request)
    records = []
    for attr_id in args.attribute_ids:
        attr = server.attribute(int(attr_id))
        value = None if attr is None else server.get(attr.name)
        records.append(zcl.read_record(int(attr_id), attr, value))
    return zcl.read_attributes_response(request.tsn, records, request.reply_direction)


def write_attributes(server: ClusterServer, request: zcl.ZclRequest) -> bytes | None:
    """Write, undivided write (all or nothing) and write without response."""
    args = zcl.decode_general(request)
    command = request.command_id
    failures: list[f.WriteAttributesStatusRecord] = []
    if command == f.GeneralCommand.Write_Attributes_Undivided:
        for attribute in args.attributes:
            attr = server.definition.attributes.get(int(attribute.attrid))
            if attr is None or attr.name not in server.writable:
                status = f.Status.READ_ONLY if attr else f.Status.UNSUPPORTED_ATTRIBUTE
                failures.append(
                    f.WriteAttributesStatusRecord(status=status, attrid=attribute.attrid)
                )
    if not failures:
        for attribute in args.attributes:
            status = server.write(int(attribute.attrid), attribute.value.value)
            if status != f.Status.SUCCESS:
                failures.append(
                    f.WriteAttributesStatusRecord(status=status, attrid=attribute.attrid)
                )
    if command == f.GeneralCommand.Write_Attributes_No_Response:
        return None
    records = failures or [f.WriteAttributesStatusRecord(status=f.Status.SUCCESS)]
    body = f.WriteAttributesResponse(records)
    return zcl.general_frame(
        request.tsn,
        f.GeneralCommand.Write_Attributes_rsp,
        bytes(body.serialize()),
        request.reply_direction,
    )


def configure_reporting(server: ClusterServer, request: zcl.ZclRequest) -> bytes:
    """Accepted for reportable attributes and remembered on the endpoint: lamps report
    every change anyway, sensors report only what was configured (and bound)."""
    args = zcl.decode_general(request)
    failures = []
    for config in args.config_records:
        attr = server.attribute(int(config.attrid))
        if attr is None:
            status = f.Status.UNSUPPORTED_ATTRIBUTE
        elif attr.name not in server.reportable:
            status = f.Status.UNREPORTABLE_ATTRIBUTE
        else:
            if int(config.direction) == f.ReportingDirection.SendReports:
                change = getattr(config, "reportable_change", None)
                server.endpoint.configure_report(
                    server.cluster_id,
                    attr.name,
                    ReportConfig(
                        int(config.min_interval),
                        int(config.max_interval),
                        float(change) if isinstance(change, int | float) else 0.0,
                    ),
                )
            continue
        failures.append(
            f.ConfigureReportingResponseRecord(
                status=status, direction=config.direction, attrid=config.attrid
            )
        )
    records = failures or [f.ConfigureReportingResponseRecord(status=f.Status.SUCCESS)]
    body = f.ConfigureReportingResponse(records)
    return zcl.general_frame(
        request.tsn,
        f.GeneralCommand.Configure_Reporting_rsp,
        bytes(body.serialize()),
        request.reply_direction,
    )


def discover_attributes(server: ClusterServer, request: zcl.ZclRequest) -> bytes:
    args = zcl.decode_general(request)
    ids = sorted(
        a.id
        for a in server.definition.attributes.values()
        if a.id >= args.start_attribute_id and server.attribute(a.id) is not None
    )
    page = ids[: int(args.max_attribute_ids)]
    records = [
        f.DiscoverAttributesResponseRecord(
            attrid=attr_id, datatype=server.definition.attributes[attr_id].zcl_type
        )
        for attr_id in page
    ]
    body = bytes([int(len(page) == len(ids))]) + b"".join(bytes(r.serialize()) for r in records)
    return zcl.general_frame(
        request.tsn, f.GeneralCommand.Discover_Attributes_rsp, body, request.reply_direction
    )


GENERAL: dict[int, GeneralHandler] = {
    f.GeneralCommand.Read_Attributes: read_attributes,
    f.GeneralCommand.Write_Attributes: write_attributes,
    f.GeneralCommand.Write_Attributes_Undivided: write_attributes,
    f.GeneralCommand.Write_Attributes_No_Response: write_attributes,
    f.GeneralCommand.Configure_Reporting: configure_reporting,
    f.GeneralCommand.Discover_Attributes: discover_attributes,
}
