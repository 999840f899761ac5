"""Frames a device sends to its bindings (ZDO Bind): reports, remote commands.

Why here: the rule is the same for every device (unicast to a bound coordinator
endpoint, groupcast to a bound group, a remote's own group when nothing is bound), and
keeping it out of the device keeps the device about radio membership and ZCL dispatch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import zigpy.zdo.types as zdo_t

from ..air import ApsFrame, Dst
from .spec import PROFILE_HA

if TYPE_CHECKING:
    from .device import SimDevice

GROUP_ADDRESSING = 0x01  # MultiAddress mode of a binding to a group (0x03: IEEE + endpoint)


def send_bound(
    device: SimDevice,
    bindings: list[zdo_t.Binding],
    src_ep: int,
    cluster: int,
    data: bytes,
    fallback_group: int | None = None,
) -> int:
    """Unicast to every bound coordinator endpoint, groupcast to every bound group;
    without a binding to ``fallback_group`` if given (remotes control their own group),
    else nowhere. Bindings to other devices are kept but not served (no
    device-to-device unicast on the simulated air). Returns the frames sent."""
    air = device.air
    coordinator = air.coordinator_ieee() if air is not None else None
    matching = [b for b in bindings if b.SrcEndpoint == src_ep and b.ClusterId == cluster]
    sent = 0
    for binding in matching:
        dst = binding.DstAddress
        if dst.addrmode == GROUP_ADDRESSING:
            groupcast(device, src_ep, cluster, data, int(dst.nwk))
            sent += 1
        elif dst.ieee == coordinator:
            device.send_zcl(src_ep, cluster, data, dst_ep=int(dst.endpoint))
            sent += 1
    if not matching and fallback_group is not None:
        groupcast(device, src_ep, cluster, data, fallback_group)
        sent += 1
    return sent


def groupcast(device: SimDevice, src_ep: int, cluster: int, data: bytes, group: int) -> None:
    """One frame to a group: its members and the coordinator hear it (see Air)."""
    air = device.air
    if device.nwk is None or air is None or not device.online:
        return
    frame = ApsFrame(
        src=device.nwk,
        dst_mode=Dst.GROUP,
        dst=group,
        src_ep=src_ep,
        dst_ep=0xFF,
        profile=PROFILE_HA,
        cluster=cluster,
        data=data,
        src_ieee=device.ieee,
        lqi=device.spec.lqi,
    )
    air.groupcast_from(device, frame)
