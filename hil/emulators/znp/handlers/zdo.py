"""MT ZDO: permit join, network update (channel change, energy scan), ZDO callbacks,
route checks and the MT forms of ZDO requests (node/active/simple descriptor ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy.types as zt
import zigpy.zdo.types as zdo_t
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.commands.zdo import RoutingStatus

from .. import commissioning
from .. import zdo as zdo_server
from ..air import BROADCAST_ROUTERS, BROADCASTS, COORDINATOR_NWK, ApsFrame, Dst
from ..coordinator import local_zdo
from ..inbound import zdo_to_host
from .types import Handler

if TYPE_CHECKING:
    from ..zstack import ZStack

ZDOCmd = zdo_server.ZDOCmd
PERMIT_FOREVER = 0xFF


def send_zdo(stack: ZStack, dst: int, command: ZDOCmd, args: tuple[Any, ...]) -> None:
    """Sends a ZDO request from the coordinator, as the MT ZDO_*_REQ commands do."""
    tsn = stack.runtime.next_zdo_tsn()
    data = bytes([tsn]) + zdo_server.encode(command, tsn, args)
    if dst == COORDINATOR_NWK:
        stack.later(stack.air.latency, local_zdo, stack, command, data)
        return
    frame = ApsFrame(
        src=COORDINATOR_NWK,
        dst_mode=Dst.BROADCAST if dst in BROADCASTS else Dst.NWK,
        dst=dst,
        src_ep=0,
        dst_ep=0,
        profile=0,
        cluster=command,
        data=data,
        src_ieee=stack.ieee,
    )
    stack.count_frame()
    if frame.dst_mode is Dst.BROADCAST:
        stack.air.broadcast(frame)
        return
    device = stack.air.by_nwk(dst)
    if device is not None:
        stack.air.unicast(device, frame)


def _status(command: Any, ok: bool = True) -> list[Any]:
    return [command.Rsp(Status=t.Status.SUCCESS if ok else t.Status.NWK_INVALID_REQUEST)]


def permit_join(stack: ZStack, req: Any) -> list[Any]:
    if not stack.runtime.running:
        return _status(c.ZDO.MgmtPermitJoinReq, ok=False)
    duration = 254 if req.Duration == PERMIT_FOREVER else int(req.Duration)
    broadcast = req.AddrMode == t.AddrMode.Broadcast or req.Dst in BROADCASTS
    args = (duration, bool(req.TCSignificance))
    if broadcast:
        send_zdo(
            stack,
            int(req.Dst) if req.Dst in BROADCASTS else BROADCAST_ROUTERS,
            ZDOCmd.Mgmt_Permit_Joining_req,
            args,
        )
    elif req.Dst != COORDINATOR_NWK:
        send_zdo(stack, int(req.Dst), ZDOCmd.Mgmt_Permit_Joining_req, args)
        return _status(c.ZDO.MgmtPermitJoinReq)
    stack.set_permit(duration)
    tsn = stack.runtime.next_zdo_tsn()
    payload = bytes([tsn]) + zdo_server.encode(
        ZDOCmd.Mgmt_Permit_Joining_rsp, tsn, (zdo_t.Status.SUCCESS,)
    )
    stack.later(
        stack.air.latency,
        zdo_to_host,
        stack,
        COORDINATOR_NWK,
        ZDOCmd.Mgmt_Permit_Joining_rsp,
        payload,
    )
    return _status(c.ZDO.MgmtPermitJoinReq)


def nwk_update(stack: ZStack, req: Any) -> list[Any]:
    if not stack.runtime.running:
        return _status(c.ZDO.MgmtNWKUpdateReq, ok=False)
    params = stack.network_params()
    update_id = ((params.nwk_update_id if params else 0) + 1) % 0x100
    duration = int(req.ScanDuration)
    update = zdo_t.NwkUpdate(
        ScanChannels=zt.Channels(int(req.Channels)),
        ScanDuration=duration,
        ScanCount=int(req.ScanCount) if duration <= 0x05 else None,
        nwkUpdateId=update_id if duration >= zdo_t.NwkUpdate.CHANNEL_CHANGE_REQ else None,
        nwkManagerAddr=(
            int(req.NwkManagerAddr)
            if duration == zdo_t.NwkUpdate.CHANNEL_MASK_MANAGER_ADDR_CHANGE_REQ
            else None
        ),
    )
    broadcast = req.DstAddrMode == t.AddrMode.Broadcast or req.Dst in BROADCASTS
    if broadcast:
        send_zdo(
            stack,
            0xFFFF if req.Dst not in BROADCASTS else int(req.Dst),
            ZDOCmd.Mgmt_NWK_Update_req,
            (update,),
        )
    if broadcast or req.Dst == COORDINATOR_NWK:
        send_zdo(stack, COORDINATOR_NWK, ZDOCmd.Mgmt_NWK_Update_req, (update,))
    else:
        send_zdo(stack, int(req.Dst), ZDOCmd.Mgmt_NWK_Update_req, (update,))
    return _status(c.ZDO.MgmtNWKUpdateReq)


def callback_register(stack: ZStack, req: Any) -> list[Any]:
    stack.runtime.zdo_callbacks.add(int(req.ClusterId))
    return _status(c.ZDO.MsgCallbackRegister)


def callback_remove(stack: ZStack, req: Any) -> list[Any]:
    stack.runtime.zdo_callbacks.discard(int(req.ClusterId))
    return _status(c.ZDO.MsgCallbackRemove)


def route_discovery(stack: ZStack, req: Any) -> list[Any]:
    return _status(c.ZDO.ExtRouteDisc, ok=stack.runtime.running)


def route_check(stack: ZStack, req: Any) -> list[Any]:
    device = stack.air.by_nwk(int(req.Dst))
    ok = device is not None and stack.air.reachable(device)
    status = RoutingStatus.SUCCESS if ok else RoutingStatus.NO_ENTRY
    return [c.ZDO.ExtRouteChk.Rsp(Status=status)]


def startup_from_app(stack: ZStack, req: Any) -> list[Any]:
    return [c.ZDO.StartupFromApp.Rsp(State=commissioning.startup_from_app(stack))]


def _zdo_request(command: Any, zdo_cmd: ZDOCmd, dst: str, *fields: str) -> Handler:
    """MT ZDO_*_REQ: SRSP now, the answer arrives later as callbacks."""

    def handler(stack: ZStack, req: Any) -> list[Any]:
        if not stack.runtime.running:
            return _status(command, ok=False)
        send_zdo(stack, int(getattr(req, dst)), zdo_cmd, tuple(getattr(req, f) for f in fields))
        return _status(command)

    return handler


def mgmt_leave(stack: ZStack, req: Any) -> list[Any]:
    if not stack.runtime.running:
        return _status(c.ZDO.MgmtLeaveReq, ok=False)
    options = 0
    if req.RemoveChildren_Rejoin & c.zdo.LeaveOptions.Rejoin:
        options |= 0x80
    if req.RemoveChildren_Rejoin & c.zdo.LeaveOptions.RemoveChildren:
        options |= 0x40
    send_zdo(stack, int(req.DstAddr), ZDOCmd.Mgmt_Leave_req, (req.IEEE, options))
    return _status(c.ZDO.MgmtLeaveReq)


# -- the coordinator's own group table (ZDO extensions) -------------------------------------
def add_group(stack: ZStack, req: Any) -> list[Any]:
    groups = stack.runtime.groups.setdefault(int(req.Endpoint), {})
    ok = int(req.GroupId) not in groups
    groups[int(req.GroupId)] = str(req.GroupName)
    return [c.ZDO.ExtAddGroup.Rsp(Status=t.Status.SUCCESS if ok else t.Status.APS_DUPLICATE_ENTRY)]


def remove_group(stack: ZStack, req: Any) -> list[Any]:
    removed = stack.runtime.groups.get(int(req.Endpoint), {}).pop(int(req.GroupId), None)
    ok = removed is not None
    return [c.ZDO.ExtRemoveGroup.Rsp(Status=t.Status.SUCCESS if ok else t.Status.INVALID_PARAMETER)]


def remove_all_groups(stack: ZStack, req: Any) -> list[Any]:
    stack.runtime.groups.pop(int(req.Endpoint), None)
    return _status(c.ZDO.ExtRemoveAllGroups)


def count_groups(stack: ZStack, req: Any) -> list[Any]:
    count = sum(len(g) for g in stack.runtime.groups.values())
    return [c.ZDO.ExtCountAllGroups.Rsp(GroupCount=count)]


def find_group(stack: ZStack, req: Any) -> list[Any]:
    name = stack.runtime.groups.get(int(req.Endpoint), {}).get(int(req.GroupId))
    if name is None:
        return [c.ZDO.ExtFindGroup.Rsp(Group=t.Bytes(b""))]
    raw = int(req.GroupId).to_bytes(2, "little") + bytes([len(name)]) + name.encode()
    return [c.ZDO.ExtFindGroup.Rsp(Group=t.Bytes(raw))]


def find_all_groups(stack: ZStack, req: Any) -> list[Any]:
    groups = sorted(stack.runtime.groups.get(int(req.Endpoint), {}))
    return [c.ZDO.ExtFindAllGroupsEndpoint.Rsp(Groups=groups)]


HANDLERS: dict[type[Any], Handler] = {
    c.ZDO.MgmtPermitJoinReq.Req: permit_join,
    c.ZDO.MgmtNWKUpdateReq.Req: nwk_update,
    c.ZDO.MsgCallbackRegister.Req: callback_register,
    c.ZDO.MsgCallbackRemove.Req: callback_remove,
    c.ZDO.ExtRouteDisc.Req: route_discovery,
    c.ZDO.ExtRouteChk.Req: route_check,
    c.ZDO.StartupFromApp.Req: startup_from_app,
    c.ZDO.NodeDescReq.Req: _zdo_request(
        c.ZDO.NodeDescReq, ZDOCmd.Node_Desc_req, "DstAddr", "NWKAddrOfInterest"
    ),
    c.ZDO.ActiveEpReq.Req: _zdo_request(
        c.ZDO.ActiveEpReq, ZDOCmd.Active_EP_req, "DstAddr", "NWKAddrOfInterest"
    ),
    c.ZDO.SimpleDescReq.Req: _zdo_request(
        c.ZDO.SimpleDescReq, ZDOCmd.Simple_Desc_req, "DstAddr", "NWKAddrOfInterest", "Endpoint"
    ),
    c.ZDO.IEEEAddrReq.Req: _zdo_request(
        c.ZDO.IEEEAddrReq, ZDOCmd.IEEE_addr_req, "NWK", "NWK", "RequestType", "StartIndex"
    ),
    c.ZDO.BindReq.Req: _zdo_request(
        c.ZDO.BindReq, ZDOCmd.Bind_req, "Dst", "Src", "SrcEndpoint", "ClusterId", "Address"
    ),
    c.ZDO.UnBindReq.Req: _zdo_request(
        c.ZDO.UnBindReq, ZDOCmd.Unbind_req, "Dst", "Src", "SrcEndpoint", "ClusterId", "Address"
    ),
    c.ZDO.MgmtLqiReq.Req: _zdo_request(c.ZDO.MgmtLqiReq, ZDOCmd.Mgmt_Lqi_req, "Dst", "StartIndex"),
    c.ZDO.MgmtRtgReq.Req: _zdo_request(c.ZDO.MgmtRtgReq, ZDOCmd.Mgmt_Rtg_req, "Dst", "StartIndex"),
    c.ZDO.MgmtBindReq.Req: _zdo_request(
        c.ZDO.MgmtBindReq, ZDOCmd.Mgmt_Bind_req, "Dst", "StartIndex"
    ),
    c.ZDO.MgmtLeaveReq.Req: mgmt_leave,
    c.ZDO.ExtAddGroup.Req: add_group,
    c.ZDO.ExtRemoveGroup.Req: remove_group,
    c.ZDO.ExtRemoveAllGroups.Req: remove_all_groups,
    c.ZDO.ExtCountAllGroups.Req: count_groups,
    c.ZDO.ExtFindGroup.Req: find_group,
    c.ZDO.ExtFindAllGroupsEndpoint.Req: find_all_groups,
}
