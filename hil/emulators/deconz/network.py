"""Forming the network from the written parameters, and the trust center.

Formation follows the deCONZ rule that parameters take effect when the network is
(re)started: on ``change_network_state(CONNECTED)`` the firmware takes the channel from
the channel mask (one channel: that one; several: the quietest), the PAN id when
``use_predefined_nwk_panid`` is set (else it keeps the running PAN id or picks one),
the extended PAN id from ``aps_extended_panid`` (else its own address), and the update
id. If the network's identity changed, the trust center forgets the old devices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import zigpy.types as zt

from hil.emulators.znp.devices.device import Membership

from .params import EMPTY_EPID, FormedNetwork

if TYPE_CHECKING:
    from hil.emulators.znp.devices.device import SimDevice

    from .firmware import Firmware

GLOBAL_EPID = zt.EUI64.convert("FF:FF:FF:FF:FF:FF:FF:FF")
MAX_NWK = 0xFFF7


def form(fw: Firmware) -> FormedNetwork | None:
    """Starts (or re-forms) the network; None when the parameters cannot make one."""
    config = fw.config
    channels = list(zt.Channels(config.channel_mask))
    if not channels or config.designed_coordinator != 1 or config.nwk_address != 0x0000:
        return None
    channel = int(channels[0]) if len(channels) == 1 else min(channels, key=fw.energy)
    old = config.network
    if config.use_predefined_panid:
        pan_id = config.pan_id
        if pan_id in (0x0000, 0xFFFE, 0xFFFF):
            return None
    elif old is not None:
        pan_id = old.pan_id
    else:
        pan_id = fw.rng.randint(0x0001, 0xFFF7)
    epid = config.aps_extended_panid
    if epid in (EMPTY_EPID, GLOBAL_EPID):
        epid = config.mac_address
    formed = FormedNetwork(int(channel), pan_id, epid, config.nwk_update_id)
    if old is None or (old.pan_id, old.extended_pan_id) != (pan_id, epid):
        config.devices.clear()
        fw.stats.formations += 1
        fw.log_event(f"formed a new network (PAN 0x{pan_id:04x}, extended PAN {epid})")
    config.network = formed
    config.pan_id = pan_id
    return formed


def admit(fw: Firmware, device: SimDevice) -> Membership | None:
    """Lets a device in while joins are permitted; it keeps its address on a rejoin."""
    net = fw.air_network
    formed = fw.config.network
    if net is None or formed is None or not fw.permit_open():
        return None
    known = fw.config.devices
    nwk = known.get(device.ieee)
    if nwk is None:
        used = set(known.values()) | {d.nwk for d in fw.air.members() if d.nwk is not None}
        nwk = fw.rng.randint(0x0001, MAX_NWK)
        while nwk in used:
            nwk = fw.rng.randint(0x0001, MAX_NWK)
        known[device.ieee] = nwk
    fw.count_frame()  # the transport-key frame
    fw.log_event(f"{device.ieee} joined as 0x{nwk:04x}")
    return Membership(net, nwk, formed.update_id)


def leave(fw: Firmware, device: SimDevice, rejoin: bool) -> None:
    """A device left (NWK leave). deCONZ passes NWK commands to nobody; only the trust
    center's table changes."""
    if not rejoin:
        fw.config.devices.pop(device.ieee, None)
    fw.log_event(f"{device.ieee} left{' (will rejoin)' if rejoin else ''}")
