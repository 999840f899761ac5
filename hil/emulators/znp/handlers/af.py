"""MT AF: endpoint registration, data requests and inter-PAN control."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy_znp.commands as c
import zigpy_znp.types as t

from ..outbound import TxRequest, transmit
from ..runtime import AfEndpoint
from .types import Handler

if TYPE_CHECKING:
    from ..zstack import ZStack


def register(stack: ZStack, req: Any) -> list[Any]:
    if req.Endpoint in stack.runtime.endpoints or not 1 <= req.Endpoint <= 242:
        return [c.AF.Register.Rsp(Status=t.Status.APS_DUPLICATE_ENTRY)]
    stack.runtime.endpoints[req.Endpoint] = AfEndpoint(
        endpoint=req.Endpoint,
        profile=req.ProfileId,
        device_id=req.DeviceId,
        device_version=req.DeviceVersion,
        input_clusters=list(req.InputClusters),
        output_clusters=list(req.OutputClusters),
    )
    return [c.AF.Register.Rsp(Status=t.Status.SUCCESS)]


def delete(stack: ZStack, req: Any) -> list[Any]:
    if stack.runtime.endpoints.pop(req.Endpoint, None) is None:
        return [c.AF.Delete.Rsp(Status=t.Status.INVALID_PARAMETER)]
    stack.runtime.interpan.endpoints.discard(req.Endpoint)
    return [c.AF.Delete.Rsp(Status=t.Status.SUCCESS)]


def data_request(stack: ZStack, req: Any) -> list[Any]:
    tx = TxRequest(
        dst_mode=t.AddrMode.NWK,
        dst=int(req.DstAddr),
        dst_ep=req.DstEndpoint,
        dst_pan=0,
        src_ep=req.SrcEndpoint,
        cluster=req.ClusterId,
        tsn=req.TSN,
        radius=req.Radius,
        data=bytes(req.Data),
    )
    return [req.Rsp(Status=transmit(stack, tx))]


def data_request_ext(stack: ZStack, req: Any) -> list[Any]:
    address = req.DstAddrModeAddress
    dst = address.address if address.mode == t.AddrMode.IEEE else int(address.address)
    tx = TxRequest(
        dst_mode=address.mode,
        dst=dst,
        dst_ep=req.DstEndpoint,
        dst_pan=int(req.DstPanId),
        src_ep=req.SrcEndpoint,
        cluster=req.ClusterId,
        tsn=req.TSN,
        radius=req.Radius,
        data=bytes(req.Data),
    )
    return [c.AF.DataRequestExt.Rsp(Status=transmit(stack, tx))]


def inter_pan_ctl(stack: ZStack, req: Any) -> list[Any]:
    interpan = stack.runtime.interpan
    data = bytes(req.Data)
    status = t.Status.SUCCESS
    if req.Command == t.InterPanCommand.Clr:
        interpan.channel = None
    elif req.Command == t.InterPanCommand.Set:
        if len(data) != 1 or not 11 <= data[0] <= 26:
            status = t.Status.INVALID_PARAMETER
        else:
            interpan.channel = data[0]
    elif req.Command == t.InterPanCommand.Reg:
        if len(data) != 1 or data[0] not in stack.runtime.endpoints:
            status = t.Status.INVALID_PARAMETER
        else:
            interpan.endpoints.add(data[0])
    elif req.Command == t.InterPanCommand.Chk and (
        len(data) != 1 or data[0] not in interpan.endpoints
    ):
        status = t.Status.APS_NOT_SUPPORTED
    return [c.AF.InterPanCtl.Rsp(Status=status)]


def apsf_config_set(stack: ZStack, req: Any) -> list[Any]:
    return [c.AF.APSFConfigSet.Rsp(Status=t.Status.SUCCESS)]


HANDLERS: dict[type[Any], Handler] = {
    c.AF.Register.Req: register,
    c.AF.Delete.Req: delete,
    c.AF.DataRequest.Req: data_request,
    c.AF.DataRequestSrcRtg.Req: data_request,
    c.AF.DataRequestExt.Req: data_request_ext,
    c.AF.InterPanCtl.Req: inter_pan_ctl,
    c.AF.APSFConfigSet.Req: apsf_config_set,
}
