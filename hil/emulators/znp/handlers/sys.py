"""MT SYS: ping, version, reset and the two NVRAM interfaces (OSAL items, NV tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.types.nvids import ExNvIds, NvSysIds

from ..firmware import CAPABILITIES, version_response
from ..nvram import MAX_MT_OSAL_ID
from .types import Handler

if TYPE_CHECKING:
    from ..zstack import ZStack

#: Largest value chunk one SRSP carries (250-byte MT payload minus status and length).
MAX_READ = 248
LEGACY = ExNvIds.LEGACY


def ping(stack: ZStack, req: Any) -> list[Any]:
    return [c.SYS.Ping.Rsp(Capabilities=CAPABILITIES)]


def version(stack: ZStack, req: Any) -> list[Any]:
    return [version_response()]


def reset_req(stack: ZStack, req: Any) -> list[Any]:
    reason = t.ResetReason.Watchdog if req.Type == t.ResetType.Hard else t.ResetReason.PowerUp
    stack.reset(reason)
    return []


def get_ext_addr(stack: ZStack, req: Any) -> list[Any]:
    return [c.SYS.GetExtAddr.Rsp(ExtAddr=stack.ieee)]


def set_ext_addr(stack: ZStack, req: Any) -> list[Any]:
    stack.nv.write(0x0001, req.ExtAddr)
    return [c.SYS.SetExtAddr.Rsp(Status=t.Status.SUCCESS)]


def set_tx_power(stack: ZStack, req: Any) -> list[Any]:
    if not -22 <= req.TXPower <= 20:
        return [c.SYS.SetTxPower.Rsp(StatusOrPower=t.Status.INVALID_PARAMETER)]
    stack.runtime.tx_power = int(req.TXPower)
    return [c.SYS.SetTxPower.Rsp(StatusOrPower=t.Status.SUCCESS)]


def random(stack: ZStack, req: Any) -> list[Any]:
    return [c.SYS.Random.Rsp(Value=stack.rng.randrange(0x10000))]


# -- OSAL NV items (the "legacy" interface) ------------------------------------------------
def osal_length(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(LEGACY, req.Id)
    return [c.SYS.OSALNVLength.Rsp(ItemLen=0 if value is None else len(value))]


def osal_read(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(LEGACY, req.Id)
    if value is None or req.Offset > len(value):
        return [req.Rsp(Status=t.Status.INVALID_PARAMETER, Value=t.ShortBytes(b""))]
    chunk = value[req.Offset : req.Offset + MAX_READ]
    return [req.Rsp(Status=t.Status.SUCCESS, Value=t.ShortBytes(chunk))]


def osal_write(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(LEGACY, req.Id)
    if value is None:
        return [req.Rsp(Status=t.Status.NV_ITEM_UNINIT)]
    end = req.Offset + len(req.Value)
    if end > len(value):
        return [req.Rsp(Status=t.Status.NV_BAD_ITEM_LEN)]
    stack.nv.put(LEGACY, req.Id, value[: req.Offset] + bytes(req.Value) + value[end:])
    return [req.Rsp(Status=t.Status.SUCCESS)]


def osal_item_init(stack: ZStack, req: Any) -> list[Any]:
    if req.Id > MAX_MT_OSAL_ID or req.ItemLen == 0 or len(req.Value) > req.ItemLen:
        return [c.SYS.OSALNVItemInit.Rsp(Status=t.Status.INVALID_PARAMETER)]
    if stack.nv.get(LEGACY, req.Id) is not None:
        return [c.SYS.OSALNVItemInit.Rsp(Status=t.Status.SUCCESS)]
    initial = bytes(req.Value) + b"\xff" * (req.ItemLen - len(req.Value))
    stack.nv.put(LEGACY, req.Id, initial)
    return [c.SYS.OSALNVItemInit.Rsp(Status=t.Status.NV_ITEM_UNINIT)]


def osal_delete(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(LEGACY, req.Id)
    if value is None:
        return [c.SYS.OSALNVDelete.Rsp(Status=t.Status.NV_ITEM_UNINIT)]
    if len(value) != req.ItemLen:
        return [c.SYS.OSALNVDelete.Rsp(Status=t.Status.NV_BAD_ITEM_LEN)]
    stack.nv.delete(LEGACY, req.Id)
    return [c.SYS.OSALNVDelete.Rsp(Status=t.Status.SUCCESS)]


# -- NV tables (the Z-Stack 3.30 "extended" interface) ---------------------------------------
def _zstack(req: Any) -> bool:
    return bool(req.SysId == NvSysIds.ZSTACK)


def nv_length(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(req.ItemId, req.SubId) if _zstack(req) else None
    return [c.SYS.NVLength.Rsp(Length=0 if value is None else len(value))]


def nv_read(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(req.ItemId, req.SubId) if _zstack(req) else None
    if value is None or req.Offset > len(value):
        return [c.SYS.NVRead.Rsp(Status=t.Status.NV_OPER_FAILED, Value=t.ShortBytes(b""))]
    chunk = value[req.Offset : req.Offset + min(req.Length, MAX_READ)]
    return [c.SYS.NVRead.Rsp(Status=t.Status.SUCCESS, Value=t.ShortBytes(chunk))]


def nv_write(stack: ZStack, req: Any) -> list[Any]:
    value = stack.nv.get(req.ItemId, req.SubId) if _zstack(req) else None
    if value is None:
        return [c.SYS.NVWrite.Rsp(Status=t.Status.NV_OPER_FAILED)]
    end = req.Offset + len(req.Value)
    if end > len(value):
        return [c.SYS.NVWrite.Rsp(Status=t.Status.NV_BAD_ITEM_LEN)]
    stack.nv.put(req.ItemId, req.SubId, value[: req.Offset] + bytes(req.Value) + value[end:])
    return [c.SYS.NVWrite.Rsp(Status=t.Status.SUCCESS)]


def nv_create(stack: ZStack, req: Any) -> list[Any]:
    if not _zstack(req) or req.Length == 0 or req.Length > 0xFFFF:
        return [c.SYS.NVCreate.Rsp(Status=t.Status.INVALID_PARAMETER)]
    if stack.nv.get(req.ItemId, req.SubId) is not None:
        return [c.SYS.NVCreate.Rsp(Status=t.Status.SUCCESS)]
    stack.nv.put(req.ItemId, req.SubId, b"\xff" * req.Length)
    return [c.SYS.NVCreate.Rsp(Status=t.Status.NV_ITEM_UNINIT)]


def nv_delete(stack: ZStack, req: Any) -> list[Any]:
    existed = _zstack(req) and stack.nv.delete(req.ItemId, req.SubId)
    return [c.SYS.NVDelete.Rsp(Status=t.Status.SUCCESS if existed else t.Status.NV_ITEM_UNINIT)]


def nv_update(stack: ZStack, req: Any) -> list[Any]:
    if not _zstack(req) or not req.Value:
        return [c.SYS.NVUpdate.Rsp(Status=t.Status.INVALID_PARAMETER)]
    stack.nv.put(req.ItemId, req.SubId, bytes(req.Value))
    return [c.SYS.NVUpdate.Rsp(Status=t.Status.SUCCESS)]


def nv_compact(stack: ZStack, req: Any) -> list[Any]:
    return [c.SYS.NVCompact.Rsp(Status=t.Status.SUCCESS)]


HANDLERS: dict[type[Any], Handler] = {
    c.SYS.Ping.Req: ping,
    c.SYS.Version.Req: version,
    c.SYS.ResetReq.Req: reset_req,
    c.SYS.GetExtAddr.Req: get_ext_addr,
    c.SYS.SetExtAddr.Req: set_ext_addr,
    c.SYS.SetTxPower.Req: set_tx_power,
    c.SYS.Random.Req: random,
    c.SYS.OSALNVLength.Req: osal_length,
    c.SYS.OSALNVRead.Req: osal_read,
    c.SYS.OSALNVReadExt.Req: osal_read,
    c.SYS.OSALNVWrite.Req: osal_write,
    c.SYS.OSALNVWriteExt.Req: osal_write,
    c.SYS.OSALNVItemInit.Req: osal_item_init,
    c.SYS.OSALNVDelete.Req: osal_delete,
    c.SYS.NVLength.Req: nv_length,
    c.SYS.NVRead.Req: nv_read,
    c.SYS.NVWrite.Req: nv_write,
    c.SYS.NVCreate.Req: nv_create,
    c.SYS.NVDelete.Req: nv_delete,
    c.SYS.NVUpdate.Req: nv_update,
    c.SYS.NVCompact.Req: nv_compact,
}
