"""AF data requests from the host: addressing, delivery over the air and confirms.

Z-Stack answers every AF_DATA_REQUEST* with an SRSP at once; the outcome comes later as
``AF.DataConfirm``: SUCCESS when the APS ack arrives, MAC_NO_ACK when a known device does
not answer (switched off, or left behind on another channel), NWK_NO_ROUTE for an address
nobody owns. ZDO requests (endpoint 0) get no confirm, as on a real stick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t

from .air import BROADCASTS, COORDINATOR_NWK, ApsFrame, Dst
from .coordinator import local_zdo
from .inbound import deliver_to_host

if TYPE_CHECKING:
    from .devices.device import SimDevice
    from .zstack import ZStack


@dataclass(frozen=True)
class TxRequest:
    """The common shape of AF_DATA_REQUEST, _EXT and _SRC_RTG."""

    dst_mode: t.AddrMode
    dst: int | zt.EUI64
    dst_ep: int
    dst_pan: int
    src_ep: int
    cluster: int
    tsn: int
    radius: int
    data: bytes


def transmit(stack: ZStack, req: TxRequest) -> t.Status:
    """Returns the SRSP status; delivery and confirm happen asynchronously."""
    if req.dst_pan not in (0x0000,) and req.dst_mode != t.AddrMode.Group:
        if stack.touchlink is None:
            return t.Status.INVALID_PARAMETER
        return stack.touchlink.transmit(req)
    if not stack.runtime.running:
        return t.Status.NWK_INVALID_REQUEST
    registered = stack.runtime.endpoints.get(req.src_ep)
    if req.src_ep != 0 and registered is None:
        return t.Status.INVALID_PARAMETER
    # Endpoint 0 means ZDO, except in a groupcast, which names no endpoint at all.
    zdo_request = req.dst_ep == 0 and req.dst_mode != t.AddrMode.Group
    profile = 0 if zdo_request else (registered.profile if registered else 0x0104)

    if req.dst_mode == t.AddrMode.IEEE:
        device = stack.air.by_ieee(zt.EUI64(req.dst))  # type: ignore[arg-type]
        nwk = device.nwk if device is not None and device.network == stack.air_network else None
        if nwk is None:
            _confirm_later(stack, req, t.Status.MAC_NO_ACK, stack.timing.no_ack)
            return t.Status.SUCCESS
        req = TxRequest(t.AddrMode.NWK, nwk, *_rest(req))
    assert isinstance(req.dst, int)

    frame = ApsFrame(
        src=COORDINATOR_NWK,
        dst_mode=_mode(req),
        dst=req.dst,
        src_ep=req.src_ep,
        dst_ep=req.dst_ep,
        profile=profile,
        cluster=req.cluster,
        data=req.data,
        src_ieee=stack.ieee,
        radius=req.radius or 30,
    )

    if frame.dst_mode is Dst.NWK and req.dst == COORDINATOR_NWK:
        _loopback(stack, req, frame)
        return t.Status.SUCCESS

    stack.count_frame()
    if frame.dst_mode is not Dst.NWK:
        stack.air.broadcast(frame)
        if not zdo_request:
            _confirm_later(stack, req, t.Status.SUCCESS, 2 * stack.air.latency)
        return t.Status.SUCCESS

    device = stack.air.by_nwk(req.dst)
    wait = device.delivery_delay() if device is not None else 0.0
    if device is not None and wait != 0.0:
        _hold_for_child(stack, device, frame, req, wait, zdo_request)
        return t.Status.SUCCESS
    _unicast(stack, device, frame, req, zdo_request)
    return t.Status.SUCCESS


def _hold_for_child(
    stack: ZStack,
    device: SimDevice,
    frame: ApsFrame,
    req: TxRequest,
    wait: float | None,
    zdo_request: bool,
) -> None:
    """A sleepy child hears its parent only when it polls: the frame waits in the
    coordinator's indirect queue until then, or expires (MAC_TRANSACTION_EXPIRED)."""
    if wait is None or wait > stack.timing.indirect_timeout:
        stack.log_event(f"frame to sleeping 0x{req.dst:04x} expired in the indirect queue")
        if not zdo_request:
            _confirm_later(
                stack, req, t.Status.MAC_TRANSACTION_EXPIRED, stack.timing.indirect_timeout
            )
        return
    stack.later(wait, _unicast, stack, device, frame, req, zdo_request)


def _unicast(
    stack: ZStack, device: SimDevice | None, frame: ApsFrame, req: TxRequest, zdo_request: bool
) -> None:
    delivered = device is not None and stack.air.unicast(device, frame)
    if zdo_request:
        return
    if delivered:
        _confirm_later(stack, req, t.Status.SUCCESS, 2 * stack.air.latency)
    elif device is not None:
        _confirm_later(stack, req, t.Status.MAC_NO_ACK, stack.timing.no_ack)
    else:
        _confirm_later(stack, req, t.Status.NWK_NO_ROUTE, stack.timing.no_ack)


def _rest(req: TxRequest) -> tuple[int, int, int, int, int, int, bytes]:
    return (req.dst_ep, req.dst_pan, req.src_ep, req.cluster, req.tsn, req.radius, req.data)


def _mode(req: TxRequest) -> Dst:
    if req.dst_mode == t.AddrMode.Group:
        return Dst.GROUP
    if req.dst_mode == t.AddrMode.Broadcast or req.dst in BROADCASTS:
        return Dst.BROADCAST
    return Dst.NWK


def _loopback(stack: ZStack, req: TxRequest, frame: ApsFrame) -> None:
    """Frames to ourselves never touch the radio."""
    if req.dst_ep == 0:
        stack.later(stack.air.latency, local_zdo, stack, req.cluster, req.data)
        return
    if req.dst_ep in stack.runtime.endpoints:
        stack.later(stack.air.latency, deliver_to_host, stack, frame)
    _confirm_later(stack, req, t.Status.SUCCESS, stack.air.latency)


def _confirm_later(stack: ZStack, req: TxRequest, status: t.Status, delay: float) -> None:
    stack.later(
        delay,
        stack.send,
        c.AF.DataConfirm.Callback(Status=status, Endpoint=req.src_ep, TSN=req.tsn),
    )
