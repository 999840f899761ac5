"""Frames arriving at the coordinator, turned into the MT callbacks Z-Stack sends.

ZDO frames become ``ZDO.MsgCbIncoming`` (for clusters the host registered with
``ZDO_MSG_CB_REGISTER``) plus the parsed per-command callback Z-Stack also emits
(``ZDO.NodeDescRsp`` ...); a Device_annce becomes ``ZDO.EndDeviceAnnceInd``.
Application frames become ``AF.IncomingMsg`` on a registered endpoint.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import zigpy_znp.commands as c
import zigpy_znp.types as t

from . import zdo
from .air import BROADCASTS, COORDINATOR_NWK, ApsFrame, Dst

if TYPE_CHECKING:
    from .devices.device import SimDevice
    from .zstack import ZStack

LOGGER = logging.getLogger(__name__)

ALL_ZDO_CLUSTERS = 0xFFFF
ZDOCmd = zdo.ZDOCmd


def build(command_cls: Any, **values: Any) -> Any:
    """Builds a zigpy-znp command, converting enum-typed fields from plain values."""
    kwargs = {}
    for param in command_cls.schema:
        value = values.get(param.name)
        if (
            value is not None
            and isinstance(param.type, type)
            and issubclass(param.type, enum.Enum)
            and not isinstance(value, param.type)
        ):
            value = param.type(int(value))
        kwargs[param.name] = value
    return command_cls(**kwargs)


def _node_desc(src: int, a: list[Any]) -> Any:
    descriptor = c.zdo.NullableNodeDescriptor(**a[2].as_dict()) if a[2] is not None else None
    descriptor = descriptor if descriptor is not None else c.zdo.NullableNodeDescriptor()
    return build(
        c.ZDO.NodeDescRsp.Callback, Src=src, Status=a[0], NWK=a[1], NodeDescriptor=descriptor
    )


def _simple_desc(src: int, a: list[Any]) -> Any:
    return build(
        c.ZDO.SimpleDescRsp.Callback, Src=src, Status=a[0], NWK=a[1], SimpleDescriptor=a[2]
    )


def _addr(callback: Any) -> Callable[[int, list[Any]], Any]:
    def make(src: int, a: list[Any]) -> Any:
        devices = list(a[5] or []) if len(a) > 5 else []
        return build(
            callback,
            Status=a[0],
            IEEE=a[1],
            NWK=a[2],
            NumAssoc=len(devices),
            Index=a[4] if len(a) > 4 and a[4] is not None else 0,
            Devices=devices,
        )

    return make


def _status_only(callback: Any) -> Callable[[int, list[Any]], Any]:
    return lambda src, a: build(callback, Src=src, Status=a[0])


#: ZDO response -> the parsed MT callback Z-Stack sends alongside MsgCbIncoming.
RESPONSE_CALLBACKS: dict[ZDOCmd, Callable[[int, list[Any]], Any]] = {
    ZDOCmd.Node_Desc_rsp: _node_desc,
    ZDOCmd.Active_EP_rsp: lambda src, a: build(
        c.ZDO.ActiveEpRsp.Callback, Src=src, Status=a[0], NWK=a[1], ActiveEndpoints=list(a[2])
    ),
    ZDOCmd.Simple_Desc_rsp: _simple_desc,
    ZDOCmd.IEEE_addr_rsp: _addr(c.ZDO.IEEEAddrRsp.Callback),
    ZDOCmd.NWK_addr_rsp: _addr(c.ZDO.NwkAddrRsp.Callback),
    ZDOCmd.Bind_rsp: _status_only(c.ZDO.BindRsp.Callback),
    ZDOCmd.Unbind_rsp: _status_only(c.ZDO.UnBindRsp.Callback),
    ZDOCmd.Mgmt_Leave_rsp: _status_only(c.ZDO.MgmtLeaveRsp.Callback),
    ZDOCmd.Mgmt_Permit_Joining_rsp: _status_only(c.ZDO.MgmtPermitJoinRsp.Callback),
    ZDOCmd.Mgmt_NWK_Update_rsp: lambda src, a: build(
        c.ZDO.MgmtNWKUpdateNotify.Callback,
        Src=src,
        Status=a[0],
        ScannedChannels=a[1],
        TotalTransmissions=a[2],
        TransmissionFailures=a[3],
        EnergyValues=list(a[4]),
    ),
    ZDOCmd.Mgmt_Lqi_rsp: lambda src, a: build(
        c.ZDO.MgmtLqiRsp.Callback, Src=src, Status=a[0], Neighbors=a[1]
    ),
    ZDOCmd.Mgmt_Rtg_rsp: lambda src, a: build(
        c.ZDO.MgmtRtgRsp.Callback, Src=src, Status=a[0], Routes=a[1]
    ),
}


def zdo_to_host(
    stack: ZStack, src: int, cluster: int, data: bytes, *, broadcast: bool = False
) -> None:
    """Reports a ZDO frame (TSN + payload) received from ``src`` to the host."""
    if not data:
        return
    tsn = data[0]
    try:
        command = ZDOCmd(cluster)
    except ValueError:
        command = None
    if command is not None and command in RESPONSE_CALLBACKS:
        try:
            _, _, args = zdo.decode(cluster, data)
            stack.send(RESPONSE_CALLBACKS[command](src, args))
        except (ValueError, KeyError, TypeError) as exc:
            LOGGER.debug("could not parse %r from 0x%04x: %s", command, src, exc)
    if command is ZDOCmd.Device_annce:
        try:
            _, _, (nwk, ieee, capability) = zdo.decode(cluster, data)
        except (ValueError, KeyError):
            return
        stack.send(
            build(
                c.ZDO.EndDeviceAnnceInd.Callback,
                Src=src,
                NWK=nwk,
                IEEE=ieee,
                Capabilities=capability,
            )
        )
    registered = stack.runtime.zdo_callbacks
    if ALL_ZDO_CLUSTERS in registered or cluster in registered:
        stack.send(
            c.ZDO.MsgCbIncoming.Callback(
                Src=src,
                IsBroadcast=t.Bool(broadcast),
                ClusterId=cluster,
                SecurityUse=0,
                TSN=tsn,
                MacDst=0xFFFF if broadcast else COORDINATOR_NWK,
                Data=t.Bytes(data[1:]),
            )
        )


def deliver_to_host(stack: ZStack, frame: ApsFrame, device: SimDevice | None = None) -> None:
    """A frame a device (or the host itself, looped back) sent to the coordinator."""
    if frame.profile == 0 and frame.dst_ep == 0:
        zdo_to_host(
            stack, frame.src, frame.cluster, frame.data, broadcast=frame.dst_mode is not Dst.NWK
        )
        return
    if frame.dst_mode is Dst.GROUP:
        # Z-Stack hands a groupcast to each of its endpoints in that group (ZDO_EXT_ADD_GROUP
        # table) and drops it when none is a member.
        members = [
            ep
            for ep, groups in sorted(stack.runtime.groups.items())
            if frame.dst in groups and ep in stack.runtime.endpoints
        ]
        for endpoint in members:
            _incoming(stack, frame, endpoint)
        return
    if frame.dst_ep not in stack.runtime.endpoints and frame.dst_ep != 0xFF:
        LOGGER.debug("dropping frame to unregistered endpoint %d", frame.dst_ep)
        return
    _incoming(stack, frame, frame.dst_ep)


def _incoming(stack: ZStack, frame: ApsFrame, endpoint: int) -> None:
    stack.send(
        c.AF.IncomingMsg.Callback(
            GroupId=frame.dst if frame.dst_mode is Dst.GROUP else 0x0000,
            ClusterId=frame.cluster,
            SrcAddr=frame.src,
            SrcEndpoint=frame.src_ep,
            DstEndpoint=endpoint,
            WasBroadcast=t.Bool(frame.dst_mode is Dst.BROADCAST or frame.dst in BROADCASTS),
            LQI=frame.lqi,
            SecurityUse=t.Bool(False),
            TimeStamp=int(stack.now() * 1000) & 0xFFFFFFFF,
            TSN=stack.runtime.next_aps_counter(),
            Data=t.ShortBytes(frame.data),
            MacSrcAddr=frame.src,
            MsgResultRadius=frame.radius - 1,
        )
    )
