"""ZDO server: the answers a Zigbee node gives to ZDO requests.

One handler table serves both the coordinator (for requests the host addresses to the
stick itself, e.g. zigpy interviewing its own coordinator or running an energy scan)
and every simulated device. Frames are encoded with ``zigpy.zdo.types.CLUSTERS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import zigpy.types as zt
import zigpy.zdo.types as zdo_t

LOGGER = logging.getLogger(__name__)

ZDOCmd = zdo_t.ZDOCmd
Status = zdo_t.Status


class ZdoNode(Protocol):
    """What a node must expose for the ZDO server to answer on its behalf."""

    @property
    def ieee(self) -> zt.EUI64: ...

    @property
    def nwk(self) -> int | None: ...

    def node_descriptor(self) -> zdo_t.NodeDescriptor: ...

    def active_endpoints(self) -> list[int]: ...

    def simple_descriptor(self, endpoint: int) -> zdo_t.SimpleDescriptor | None: ...

    def neighbors(self) -> list[zdo_t.Neighbor]: ...

    def bindings(self) -> list[zdo_t.Binding]: ...

    def bind(self, binding: zdo_t.Binding, add: bool) -> Status: ...

    def leave(self, rejoin: bool) -> None: ...

    def nwk_update(self, update: zdo_t.NwkUpdate, tsn: int) -> None: ...


@dataclass(frozen=True)
class ZdoResponse:
    command: ZDOCmd
    args: tuple[Any, ...]
    #: Runs after the response has been sent (e.g. leaving the network).
    after: Callable[[], None] | None = None


ZdoHandler = Callable[[ZdoNode, list[Any]], ZdoResponse | None]


def decode(cluster: int, data: bytes) -> tuple[int, ZDOCmd, list[Any]]:
    """Splits TSN and arguments; raises ``ValueError`` for unknown or short frames."""
    if not data:
        raise ValueError("empty ZDO frame")
    command = ZDOCmd(cluster)
    if command not in zdo_t.CLUSTERS:
        raise ValueError(f"no schema for {command!r}")
    _, types = zdo_t.CLUSTERS[command]
    args, _ = zt.deserialize(data[1:], types)
    return data[0], command, list(args)


def encode(command: ZDOCmd, tsn: int, args: tuple[Any, ...]) -> bytes:
    """ZDO payload without the TSN (the MT layer carries the TSN separately)."""
    _, types = zdo_t.CLUSTERS[command]
    return bytes(zt.serialize(args, types))


def _node_desc(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    return ZdoResponse(ZDOCmd.Node_Desc_rsp, (Status.SUCCESS, node.nwk, node.node_descriptor()))


def _active_ep(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    return ZdoResponse(ZDOCmd.Active_EP_rsp, (Status.SUCCESS, node.nwk, node.active_endpoints()))


def _simple_desc(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    endpoint = int(args[1])
    descriptor = node.simple_descriptor(endpoint)
    if descriptor is None:
        status = Status.INVALID_EP if endpoint in (0,) or endpoint > 240 else Status.NOT_ACTIVE
        return ZdoResponse(ZDOCmd.Simple_Desc_rsp, (status, node.nwk, None))
    sized = zdo_t.SizePrefixedSimpleDescriptor(**descriptor.as_dict())
    return ZdoResponse(ZDOCmd.Simple_Desc_rsp, (Status.SUCCESS, node.nwk, sized))


def _ieee_addr(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    if args[0] != node.nwk and args[0] not in (0xFFFF, 0xFFFD, 0xFFFC):
        return None
    return ZdoResponse(ZDOCmd.IEEE_addr_rsp, (Status.SUCCESS, node.ieee, node.nwk, 0, 0, []))


def _nwk_addr(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    if args[0] != node.ieee:
        return None  # only the addressed device answers a broadcast NWK_addr_req
    return ZdoResponse(ZDOCmd.NWK_addr_rsp, (Status.SUCCESS, node.ieee, node.nwk, 0, 0, []))


def _bind(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    binding = zdo_t.Binding(
        SrcAddress=args[0], SrcEndpoint=args[1], ClusterId=args[2], DstAddress=args[3]
    )
    return ZdoResponse(ZDOCmd.Bind_rsp, (node.bind(binding, True),))


def _unbind(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    binding = zdo_t.Binding(
        SrcAddress=args[0], SrcEndpoint=args[1], ClusterId=args[2], DstAddress=args[3]
    )
    return ZdoResponse(ZDOCmd.Unbind_rsp, (node.bind(binding, False),))


def _mgmt_lqi(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    table = node.neighbors()
    start = int(args[0])
    page = table[start : start + 3]
    neighbors = zdo_t.Neighbors(Entries=len(table), StartIndex=start, NeighborTableList=page)
    return ZdoResponse(ZDOCmd.Mgmt_Lqi_rsp, (Status.SUCCESS, neighbors))


def _mgmt_rtg(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    routes = zdo_t.Routes(Entries=0, StartIndex=int(args[0]), RoutingTableList=[])
    return ZdoResponse(ZDOCmd.Mgmt_Rtg_rsp, (Status.SUCCESS, routes))


def _mgmt_bind(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    table = node.bindings()
    start = int(args[0])
    return ZdoResponse(
        ZDOCmd.Mgmt_Bind_rsp, (Status.SUCCESS, len(table), start, table[start : start + 3])
    )


def _mgmt_leave(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    target, options = args[0], int(args[1])
    if target not in (node.ieee, zt.EUI64(bytes(8))):
        return ZdoResponse(ZDOCmd.Mgmt_Leave_rsp, (Status.NOT_SUPPORTED,))
    rejoin = bool(options & 0x80)
    return ZdoResponse(ZDOCmd.Mgmt_Leave_rsp, (Status.SUCCESS,), after=lambda: node.leave(rejoin))


def _mgmt_permit(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    return ZdoResponse(ZDOCmd.Mgmt_Permit_Joining_rsp, (Status.SUCCESS,))


def _mgmt_nwk_update(node: ZdoNode, args: list[Any]) -> ZdoResponse | None:
    return None  # answered asynchronously by the node (scan) or not at all (channel change)


#: The ZDO server commands a router or coordinator answers. Mgmt_NWK_Update_req is
#: handled by ``answer`` itself because its answer comes later.
ZDO_SERVER: dict[ZDOCmd, ZdoHandler] = {
    ZDOCmd.Node_Desc_req: _node_desc,
    ZDOCmd.Active_EP_req: _active_ep,
    ZDOCmd.Simple_Desc_req: _simple_desc,
    ZDOCmd.IEEE_addr_req: _ieee_addr,
    ZDOCmd.NWK_addr_req: _nwk_addr,
    ZDOCmd.Bind_req: _bind,
    ZDOCmd.Unbind_req: _unbind,
    ZDOCmd.Mgmt_Lqi_req: _mgmt_lqi,
    ZDOCmd.Mgmt_Rtg_req: _mgmt_rtg,
    ZDOCmd.Mgmt_Bind_req: _mgmt_bind,
    ZDOCmd.Mgmt_Leave_req: _mgmt_leave,
    ZDOCmd.Mgmt_Permit_Joining_req: _mgmt_permit,
    ZDOCmd.Mgmt_NWK_Update_req: _mgmt_nwk_update,
}

#: Requests that name a NWK address of interest: only that node answers.
_ADDRESSED = {ZDOCmd.Node_Desc_req, ZDOCmd.Active_EP_req, ZDOCmd.Simple_Desc_req}


def answer(
    node: ZdoNode, cluster: int, data: bytes, *, broadcast: bool
) -> tuple[int, ZdoResponse] | None:
    """Runs one ZDO request against ``node``; returns (tsn, response) or None.

    Broadcast requests get no answer except the address requests (as the spec says),
    and malformed or unknown requests are dropped (a router sends nothing back).
    """
    try:
        tsn, command, args = decode(cluster, data)
    except (ValueError, KeyError) as exc:
        LOGGER.debug("%s: dropping ZDO 0x%04x: %s", node.ieee, cluster, exc)
        return None
    if command is ZDOCmd.Mgmt_NWK_Update_req:
        node.nwk_update(args[0], tsn)
        return None
    handler = ZDO_SERVER.get(command)
    if handler is None:
        return None
    if command in _ADDRESSED and args[0] != node.nwk:
        tail: tuple[Any, ...] = ([],) if command is ZDOCmd.Active_EP_req else (None,)
        rsp = ZdoResponse(ZDOCmd(command | 0x8000), (Status.DEVICE_NOT_FOUND, args[0], *tail))
        return None if broadcast else (tsn, rsp)
    if broadcast and command not in (ZDOCmd.IEEE_addr_req, ZDOCmd.NWK_addr_req):
        handler(node, args)
        return None
    response = handler(node, args)
    return None if response is None else (tsn, response)


def router_descriptor(manufacturer_code: int) -> zdo_t.NodeDescriptor:
    """Node descriptor of a mains-powered Zigbee 3.0 router (a lamp or plug)."""
    return zdo_t.NodeDescriptor(
        logical_type=zdo_t.LogicalType.Router,
        complex_descriptor_available=0,
        user_descriptor_available=0,
        reserved=0,
        aps_flags=0,
        frequency_band=zdo_t.NodeDescriptor.FrequencyBand.Freq2400MHz,
        mac_capability_flags=(
            zdo_t.NodeDescriptor.MACCapabilityFlags.AllocateAddress
            | zdo_t.NodeDescriptor.MACCapabilityFlags.RxOnWhenIdle
            | zdo_t.NodeDescriptor.MACCapabilityFlags.MainsPowered
            | zdo_t.NodeDescriptor.MACCapabilityFlags.FullFunctionDevice
        ),
        manufacturer_code=manufacturer_code,
        maximum_buffer_size=82,
        maximum_incoming_transfer_size=128,
        server_mask=0x2C00,
        maximum_outgoing_transfer_size=128,
        descriptor_capability_field=zdo_t.NodeDescriptor.DescriptorCapability.NONE,
    )


def coordinator_descriptor() -> zdo_t.NodeDescriptor:
    """Node descriptor Z-Stack 3.30 reports for itself (primary trust center)."""
    return zdo_t.NodeDescriptor(
        logical_type=zdo_t.LogicalType.Coordinator,
        complex_descriptor_available=0,
        user_descriptor_available=0,
        reserved=0,
        aps_flags=0,
        frequency_band=zdo_t.NodeDescriptor.FrequencyBand.Freq2400MHz,
        mac_capability_flags=zdo_t.NodeDescriptor.MACCapabilityFlags(0x8F),
        manufacturer_code=0x0000,
        maximum_buffer_size=80,
        maximum_incoming_transfer_size=160,
        server_mask=0x2C01,
        maximum_outgoing_transfer_size=160,
        descriptor_capability_field=zdo_t.NodeDescriptor.DescriptorCapability.NONE,
    )
