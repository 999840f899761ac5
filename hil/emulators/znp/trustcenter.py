"""The coordinator as trust center: admitting joining devices and noting departures.

What Z-Stack 3.30 tells the host is reproduced here: ``ZDO.TCDevInd`` when a device has
been given the network key, ``ZDO.LeaveInd`` when one leaves. The device tables in
NVRAM are updated the same way, so network backups include joined devices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import zigpy_znp.commands as c

from . import network
from .air import COORDINATOR_NWK
from .devices.device import Membership

if TYPE_CHECKING:
    from .devices.device import SimDevice
    from .zstack import ZStack

MAX_NWK = 0xFFF7


def admit(stack: ZStack, device: SimDevice) -> Membership | None:
    """Lets a device in if joins are permitted; returns its membership or None."""
    net = stack.air_network
    params = stack.network_params()
    if net is None or params is None or not stack.permit_open():
        return None
    known = network.known_devices(stack.nv)
    nwk = known.get(device.ieee)
    if nwk is None:
        used = set(known.values()) | {d.nwk for d in stack.air.members() if d.nwk is not None}
        nwk = stack.rng.randint(0x0001, MAX_NWK)
        while nwk in used:
            nwk = stack.rng.randint(0x0001, MAX_NWK)
    network.remember_device(stack.nv, device.ieee, nwk, stack.rng)
    stack.count_frame()  # the transport-key frame
    stack.send(c.ZDO.TCDevInd.Callback(SrcNwk=nwk, SrcIEEE=device.ieee, ParentNwk=COORDINATOR_NWK))
    stack.log_event(f"{device.ieee} joined as 0x{nwk:04x}")
    return Membership(net, nwk, params.nwk_update_id)


def leave(stack: ZStack, device: SimDevice, rejoin: bool) -> None:
    """A device announced it is leaving (NWK leave command)."""
    if device.nwk is None:
        return
    stack.send(
        c.ZDO.LeaveInd.Callback(
            NWK=device.nwk, IEEE=device.ieee, Request=False, Remove=False, Rejoin=rejoin
        )
    )
    if not rejoin:
        network.forget_device(stack.nv, device.ieee)
    stack.log_event(f"{device.ieee} left{' (will rejoin)' if rejoin else ''}")
