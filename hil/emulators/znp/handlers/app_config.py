"""MT APP_CONFIG: BDB commissioning and trust-center policies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy_znp.commands as c
import zigpy_znp.types as t

from .. import commissioning, network
from .types import Handler

if TYPE_CHECKING:
    from ..zstack import ZStack


def start_commissioning(stack: ZStack, req: Any) -> list[Any]:
    status = commissioning.start_bdb(stack, req.Mode)
    return [c.AppConfig.BDBStartCommissioning.Rsp(Status=status)]


def set_channel(stack: ZStack, req: Any) -> list[Any]:
    if req.IsPrimary:
        stack.runtime.bdb_primary = req.Channel
    else:
        stack.runtime.bdb_secondary = req.Channel
    return [c.AppConfig.BDBSetChannel.Rsp(Status=t.Status.SUCCESS)]


def set_frame_counter(stack: ZStack, req: Any) -> list[Any]:
    nib = network.read_nib(stack.nv)
    if nib is None:
        return [c.AppConfig.SetNwkFrameCounter.Rsp(Status=t.Status.FAILURE)]
    network.write_frame_counter(stack.nv, nib.extendedPANID, int(req.FrameCounterValue))
    return [c.AppConfig.SetNwkFrameCounter.Rsp(Status=t.Status.SUCCESS)]


def _accept(command: Any) -> Handler:
    """Policies the emulator records nowhere: accepted, as the firmware does."""
    return lambda stack, req: [command.Rsp(Status=t.Status.SUCCESS)]


HANDLERS: dict[type[Any], Handler] = {
    c.AppConfig.BDBStartCommissioning.Req: start_commissioning,
    c.AppConfig.BDBSetChannel.Req: set_channel,
    c.AppConfig.SetNwkFrameCounter.Req: set_frame_counter,
    c.AppConfig.BDBSetTcRequireKeyExchange.Req: _accept(c.AppConfig.BDBSetTcRequireKeyExchange),
    c.AppConfig.BDBSetJoinUsesInstallCodeKey.Req: _accept(c.AppConfig.BDBSetJoinUsesInstallCodeKey),
    c.AppConfig.BDBAddInstallCode.Req: _accept(c.AppConfig.BDBAddInstallCode),
    c.AppConfig.SetAllowRejoinTCPolicy.Req: _accept(c.AppConfig.SetAllowRejoinTCPolicy),
    c.AppConfig.SetDefaultRemoteEndDeviceTimeout.Req: _accept(
        c.AppConfig.SetDefaultRemoteEndDeviceTimeout
    ),
    c.AppConfig.BDBSetActiveDefaultCentralizedKey.Req: _accept(
        c.AppConfig.BDBSetActiveDefaultCentralizedKey
    ),
}
