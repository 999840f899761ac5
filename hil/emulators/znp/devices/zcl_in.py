"""ZCL frames arriving at a simulated device: which endpoints they reach, which cluster
answers, and the reply (a cluster response or a Default Response).

Why apart from :class:`~.device.SimDevice`: this is the one path every ZCL request takes,
and it depends only on the endpoint's clusters, not on the device's network life.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zigpy.zcl import foundation as f

from ..air import ApsFrame, Dst
from . import foundation_commands, zcl

if TYPE_CHECKING:
    from .cluster import ClusterServer
    from .device import SimDevice
    from .endpoint import SimEndpoint


def deliver(device: SimDevice, frame: ApsFrame) -> None:
    """Hands a ZCL frame to every endpoint it is for; unicasts get their reply."""
    for endpoint in targets(device, frame):
        _on(device, endpoint, frame)


def targets(device: SimDevice, frame: ApsFrame) -> list[SimEndpoint]:
    """Groupcasts reach every endpoint in the group, whatever endpoint they name;
    0xFF is every endpoint; otherwise the named one."""
    endpoints = device.endpoints
    if frame.dst_mode is Dst.GROUP:
        return [ep for ep in endpoints.values() if frame.dst in ep.groups]
    if frame.dst_ep == 0xFF:
        return list(endpoints.values())
    endpoint = endpoints.get(frame.dst_ep)
    return [] if endpoint is None else [endpoint]


def _on(device: SimDevice, endpoint: SimEndpoint, frame: ApsFrame) -> None:
    try:
        request = zcl.parse(frame.data)
    except ValueError:
        return
    # Client->server frames go to our server clusters, server->client frames (e.g.
    # reads of OTA client attributes) to our client clusters.
    side = endpoint.clusters if request.to_server else endpoint.client_clusters
    server = side.get(frame.cluster)
    direction = request.reply_direction
    reply: bytes | None
    if server is None:
        if request.is_general and request.command_id == f.GeneralCommand.Default_Response:
            return
        status = f.Status.UNSUPPORTED_CLUSTER
        reply = zcl.default_response(request.tsn, request.command_id, status, direction)
    elif request.is_general:
        reply = foundation_commands.handle(server, request)
    else:
        reply = _cluster_command(server, request)
    if reply is not None and frame.is_unicast:
        device.send_zcl(endpoint.endpoint_id, frame.cluster, reply, dst_ep=frame.src_ep)


def _cluster_command(server: ClusterServer, request: zcl.ZclRequest) -> bytes | None:
    result = server.handle(request)
    direction = request.reply_direction
    if result is None:
        return None
    if isinstance(result, zcl.ClusterResponse):
        return zcl.cluster_frame(request.tsn, result.command_id, result.payload, direction)
    if result == f.Status.SUCCESS and not request.wants_default_response:
        return None
    return zcl.default_response(request.tsn, request.command_id, result, direction)
