"""The coordinator's own ZDO node: what Z-Stack answers about itself, plus the two
network-manager jobs that take time (energy scan, channel change).

Why a separate node object: zigpy interviews its coordinator like any device and runs
energy scans through a ZDO request to itself, so Z-Stack's local ZDO server must answer
through the same MT callbacks as a remote device would.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import zigpy.types as zt
import zigpy.zdo.types as zdo_t
from zigpy_znp.types.nvids import OsalNvIds

from . import network, zdo
from .air import BROADCAST_ALL, COORDINATOR_NWK, ApsFrame, Dst
from .inbound import zdo_to_host

if TYPE_CHECKING:
    from .zstack import ZStack

#: One 802.15.4 energy-detect slot: aBaseSuperframeDuration in seconds.
BASE_SUPERFRAME = 0.01536


class CoordinatorNode:
    """Adapts :class:`ZStack` to the ZDO server's ``ZdoNode`` protocol."""

    def __init__(self, stack: ZStack) -> None:
        self.stack = stack

    @property
    def ieee(self) -> zt.EUI64:
        return self.stack.ieee

    @property
    def nwk(self) -> int | None:
        return COORDINATOR_NWK

    def node_descriptor(self) -> zdo_t.NodeDescriptor:
        return zdo.coordinator_descriptor()

    def active_endpoints(self) -> list[int]:
        return sorted(self.stack.runtime.endpoints)

    def simple_descriptor(self, endpoint: int) -> zdo_t.SimpleDescriptor | None:
        registered = self.stack.runtime.endpoints.get(endpoint)
        if registered is None:
            return None
        return zdo_t.SimpleDescriptor(
            endpoint=registered.endpoint,
            profile=registered.profile,
            device_type=registered.device_id,
            device_version=registered.device_version,
            input_clusters=list(registered.input_clusters),
            output_clusters=list(registered.output_clusters),
        )

    def neighbors(self) -> list[zdo_t.Neighbor]:
        net = self.stack.air_network
        if net is None:
            return []
        table = []
        for device in self.stack.air.members():
            if not self.stack.air.reachable(device) or device.nwk is None:
                continue
            table.append(
                zdo_t.Neighbor(
                    extended_pan_id=net.extended_pan_id,
                    ieee=device.ieee,
                    nwk=device.nwk,
                    device_type=zdo_t.DeviceType.Router,
                    rx_on_when_idle=zdo_t.RxOnWhenIdle.On,
                    relationship=zdo_t.Relationship.Sibling,
                    reserved1=0,
                    permit_joining=zdo_t.PermitJoins.Unknown,
                    reserved2=0,
                    depth=1,
                    lqi=device.spec.lqi,
                )
            )
        return table

    def bindings(self) -> list[zdo_t.Binding]:
        return []

    def bind(self, binding: zdo_t.Binding, add: bool) -> zdo.Status:
        return zdo.Status.SUCCESS if add else zdo.Status.NO_ENTRY

    def leave(self, rejoin: bool) -> None:
        """A coordinator does not leave its own network."""

    def nwk_update(self, update: zdo_t.NwkUpdate, tsn: int) -> None:
        if update.ScanDuration <= 0x05:
            self.stack.spawn(energy_scan(self.stack, update, tsn))
        elif update.ScanDuration == zdo_t.NwkUpdate.CHANNEL_CHANGE_REQ:
            channels = list(update.ScanChannels)
            if len(channels) == 1:
                schedule_channel_change(self.stack, int(channels[0]))
        elif update.ScanDuration == zdo_t.NwkUpdate.CHANNEL_MASK_MANAGER_ADDR_CHANGE_REQ:
            nib = network.read_nib(self.stack.nv)
            if nib is not None:
                self.stack.nv.write(
                    OsalNvIds.NIB,
                    nib.replace(
                        channelList=update.ScanChannels, nwkManagerAddr=update.nwkManagerAddr
                    ),
                )


def local_zdo(stack: ZStack, cluster: int, data: bytes) -> None:
    """A ZDO request the host addressed to the coordinator itself (NWK 0x0000)."""
    zdo_to_host(stack, COORDINATOR_NWK, cluster, data)  # Z-Stack forwards requests too
    result = zdo.answer(CoordinatorNode(stack), cluster, data, broadcast=False)
    if result is None:
        return
    tsn, response = result
    payload = bytes([tsn]) + zdo.encode(response.command, tsn, response.args)
    stack.later(
        stack.timing.hop_latency, zdo_to_host, stack, COORDINATOR_NWK, response.command, payload
    )


async def energy_scan(stack: ZStack, update: zdo_t.NwkUpdate, tsn: int) -> None:
    """ED scan of each channel for (2^n + 1) superframes, ``ScanCount`` times."""
    channels = list(update.ScanChannels)
    count = max(int(update.ScanCount or 1), 1)
    slot = (2 ** int(update.ScanDuration) + 1) * BASE_SUPERFRAME
    await asyncio.sleep(len(channels) * count * slot * stack.timing.energy_scan_scale)
    energies = [stack.energy(int(ch)) for ch in channels]
    args = (zdo.Status.SUCCESS, update.ScanChannels, 0, 0, energies)
    payload = bytes([tsn]) + zdo.encode(zdo.ZDOCmd.Mgmt_NWK_Update_rsp, tsn, args)
    stack.log_event(f"energy scan of {len(channels)} channels done")
    zdo_to_host(stack, COORDINATOR_NWK, zdo.ZDOCmd.Mgmt_NWK_Update_rsp, payload)


def schedule_channel_change(stack: ZStack, channel: int) -> None:
    """The coordinator switches after the broadcast delivery time, like the routers."""
    if not 11 <= channel <= 26 or stack.network_params() is None:
        return
    stack.log_event(f"channel change to {channel} requested")
    stack.later(stack.timing.broadcast_delivery, _switch, stack, channel)


def _switch(stack: ZStack, channel: int) -> None:
    network.change_channel(stack.nv, channel)
    stack.log_event(f"coordinator now on channel {channel}")


def broadcast_channel_change(stack: ZStack, channel: int) -> None:
    """Network manager broadcast of Mgmt_NWK_Update_req(channel change) to all routers."""
    params = stack.network_params()
    if params is None:
        return
    update = zdo_t.NwkUpdate(
        ScanChannels=zt.Channels.from_channel_list([channel]),  # type: ignore[misc]
        ScanDuration=zdo_t.NwkUpdate.CHANNEL_CHANGE_REQ,
        nwkUpdateId=(params.nwk_update_id + 1) % 0x100,
    )
    tsn = stack.runtime.next_zdo_tsn()
    data = bytes([tsn]) + zdo.encode(zdo.ZDOCmd.Mgmt_NWK_Update_req, tsn, (update,))
    stack.air.broadcast(
        ApsFrame(
            src=COORDINATOR_NWK,
            dst_mode=Dst.BROADCAST,
            dst=BROADCAST_ALL,
            src_ep=0,
            dst_ep=0,
            profile=0,
            cluster=zdo.ZDOCmd.Mgmt_NWK_Update_req,
            data=data,
        )
    )
