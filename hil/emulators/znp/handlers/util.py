"""MT UTIL: device info, association table queries, LED and small helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.commands.util import NodeRelation
from zigpy_znp.types.nvids import OsalNvIds

from .. import network
from ..air import COORDINATOR_NWK
from .types import Handler

if TYPE_CHECKING:
    from ..zstack import ZStack


def _empty_assoc(nwk: int = 0xFFFE) -> Any:
    """An association table slot; lamps join as routers, so ours stays empty."""
    return c.util.Device(
        shortAddr=nwk,
        addrIdx=0xFFFF,
        nodeRelation=NodeRelation.NOTUSED,
        devStatus=0,
        assocCnt=0,
        age=0,
        linkInfo=c.util.LinkInfo(
            txCounter=0, txCost=0, rxLqi=0, inKeySeqNum=0, inFrmCntr=0, txFailure=0
        ),
        endDev=c.util.AgingEndDevice(endDevCfg=0, deviceTimeout=0),
        timeoutCounter=0,
        keepaliveRcv=0,
        ctrl=0,
    )


def get_device_info(stack: ZStack, req: Any) -> list[Any]:
    running = stack.runtime.running
    return [
        c.UTIL.GetDeviceInfo.Rsp(
            Status=t.Status.SUCCESS,
            IEEE=stack.ieee,
            NWK=COORDINATOR_NWK if running else 0xFFFE,
            DeviceType=t.DeviceTypeCapabilities(0x07),
            DeviceState=stack.runtime.device_state,
            AssociatedDevices=[],
        )
    ]


def assoc_find_device(stack: ZStack, req: Any) -> list[Any]:
    raw = _empty_assoc().serialize(align=True)
    return [c.UTIL.AssocFindDevice.Rsp(Device=t.Bytes(raw))]


def assoc_get_with_address(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.AssocGetWithAddress.Rsp(Device=_empty_assoc())]


def assoc_count(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.AssocCount.Rsp(Count=0)]


def assoc_remove(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.AssocRemove.Rsp(Status=t.Status.SUCCESS)]


def assoc_add(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.AssocAdd.Rsp(Status=t.Status.SUCCESS)]


def led_control(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.LEDControl.Rsp(Status=t.Status.SUCCESS)]


def time_alive(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.TimeAlive.Rsp(Seconds=stack.uptime())]


def loopback(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.Loopback.Rsp(Data=req.Data)]


def ext_addr_lookup(stack: ZStack, req: Any) -> list[Any]:
    known = network.known_devices(stack.nv)
    nwk = COORDINATOR_NWK if req.ExtAddr == stack.ieee else known.get(req.ExtAddr, 0xFFFE)
    return [c.UTIL.AddrMgrExtAddrLookup.Rsp(NWK=nwk)]


def nwk_addr_lookup(stack: ZStack, req: Any) -> list[Any]:
    if req.NWK == COORDINATOR_NWK:
        return [c.UTIL.AddrMgwNwkAddrLookUp.Rsp(IEEE=stack.ieee)]
    by_nwk = {nwk: ieee for ieee, nwk in network.known_devices(stack.nv).items()}
    ieee = by_nwk.get(req.NWK, zt.EUI64(bytes(8)))
    return [c.UTIL.AddrMgwNwkAddrLookUp.Rsp(IEEE=ieee)]


def callback_sub(stack: ZStack, req: Any) -> list[Any]:
    return [c.UTIL.CallbackSubCmd.Rsp(Status=t.Status.SUCCESS)]


def set_pan_id(stack: ZStack, req: Any) -> list[Any]:
    stack.nv.write(OsalNvIds.PANID, t.uint16_t(req.PanId))
    return [c.UTIL.SetPanId.Rsp(Status=t.Status.SUCCESS)]


def set_channels(stack: ZStack, req: Any) -> list[Any]:
    stack.nv.write(OsalNvIds.CHANLIST, req.Channels)
    return [c.UTIL.SetChannels.Rsp(Status=t.Status.SUCCESS)]


def set_precfg_key(stack: ZStack, req: Any) -> list[Any]:
    stack.nv.write(OsalNvIds.PRECFGKEY, req.PreConfigKey)
    return [c.UTIL.SetPreConfigKey.Rsp(Status=t.Status.SUCCESS)]


HANDLERS: dict[type[Any], Handler] = {
    c.UTIL.GetDeviceInfo.Req: get_device_info,
    c.UTIL.AssocFindDevice.Req: assoc_find_device,
    c.UTIL.AssocGetWithAddress.Req: assoc_get_with_address,
    c.UTIL.AssocCount.Req: assoc_count,
    c.UTIL.AssocRemove.Req: assoc_remove,
    c.UTIL.AssocAdd.Req: assoc_add,
    c.UTIL.LEDControl.Req: led_control,
    c.UTIL.TimeAlive.Req: time_alive,
    c.UTIL.Loopback.Req: loopback,
    c.UTIL.AddrMgrExtAddrLookup.Req: ext_addr_lookup,
    c.UTIL.AddrMgwNwkAddrLookUp.Req: nwk_addr_lookup,
    c.UTIL.CallbackSubCmd.Req: callback_sub,
    c.UTIL.SetPanId.Req: set_pan_id,
    c.UTIL.SetChannels.Req: set_channels,
    c.UTIL.SetPreConfigKey.Req: set_precfg_key,
}
