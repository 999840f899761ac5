"""APS data both ways: the host's ``aps_data_request`` onto the shared air (and its
confirm), frames from the air into the indication queue, and the coordinator's own ZDO
server for requests the host addresses to the stick itself (zigpy interviews its
coordinator and runs energy scans that way).

Confirms (what ConBee firmware reports, as zigpy-deconz maps them):
SUCCESS once the frame is on its way and, for unicasts, acknowledged; APS_NO_ACK
(0xA7, with APS acks requested) or MAC_NO_ACK (0xE9) for a joined device that does not
answer; NWK_ROUTE_DISCOVERY_FAILED (0xD0) for an address nobody owns.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import zigpy.types as zt
import zigpy.zdo.types as zdo_t
from zigpy_deconz.types import AddressMode, DeconzTransmitOptions

from hil.emulators.znp import zdo
from hil.emulators.znp.air import BROADCASTS, COORDINATOR_NWK, ApsFrame, Dst

from .runtime import Confirm, Indication

if TYPE_CHECKING:
    from .firmware import Firmware

SUCCESS = 0x00
APS_NO_ACK = 0xA7
MAC_NO_ACK = 0xE9
NWK_ROUTE_DISCOVERY_FAILED = 0xD0
#: 802.15.4 energy-detect slot (aBaseSuperframeDuration) in seconds.
BASE_SUPERFRAME = 0.01536
#: ConBee I/II report energy on a 0..85 scale (zigpy-deconz multiplies by 3).
ENERGY_DIVISOR = 3
#: Manufacturer code in the stick's node descriptor.
DRESDEN_ELEKTRONIK = 0x1135


def transmit(fw: Firmware, params: dict[str, Any]) -> None:
    """Puts one accepted request on the air and schedules its confirm."""
    dst = params["dst"]
    mode = AddressMode(dst.address_mode)
    confirm = Confirm(
        request_id=int(params["request_id"]),
        dst_mode=int(mode),
        dst=dst.address,
        dst_ep=dst.endpoint,
        src_ep=int(params["src_ep"]),
        status=SUCCESS,
    )
    fw.runtime.slots_in_use += 1
    fw.stats.peak_slots_in_use = max(fw.stats.peak_slots_in_use, fw.runtime.slots_in_use)
    dst_ep = int(dst.endpoint or 0)
    profile, cluster = int(params["profile_id"]), int(params["cluster_id"])
    asdu = bytes(params["asdu"])
    nwk: int | None
    if mode == AddressMode.GROUP:
        frame = _frame(fw, Dst.GROUP, int(dst.address), params, dst_ep)
        fw.count_frame()
        fw.air.broadcast(frame)
        _confirm_later(fw, confirm, SUCCESS, 2 * fw.air.latency)
        return
    if mode == AddressMode.IEEE:
        ieee = zt.EUI64(dst.address)
        if ieee == fw.ieee:
            nwk = COORDINATOR_NWK
        else:
            device = fw.air.by_ieee(ieee)
            nwk = device.nwk if device is not None and device.network == fw.air_network else None
        if nwk is None:
            _confirm_later(fw, confirm, NWK_ROUTE_DISCOVERY_FAILED, fw.timing.no_ack)
            return
    else:
        nwk = int(dst.address)
    if nwk == COORDINATOR_NWK:
        _loopback(fw, confirm, dst_ep, profile, cluster, asdu, int(params["src_ep"]))
        return
    fw.count_frame()
    if nwk in BROADCASTS or nwk >= 0xFFF8:
        fw.air.broadcast(_frame(fw, Dst.BROADCAST, nwk, params, dst_ep))
        if profile == 0 and cluster == zdo_t.ZDOCmd.Mgmt_Permit_Joining_req:
            _local_permit(fw, asdu)
        _confirm_later(fw, confirm, SUCCESS, 2 * fw.air.latency)
        return
    device = fw.air.by_nwk(nwk)
    frame = _frame(fw, Dst.NWK, nwk, params, dst_ep)
    if device is not None and fw.air.unicast(device, frame):
        _confirm_later(fw, confirm, SUCCESS, 2 * fw.air.latency)
    elif device is not None:
        acks = DeconzTransmitOptions.USE_APS_ACKS in DeconzTransmitOptions(params["tx_options"])
        _confirm_later(fw, confirm, APS_NO_ACK if acks else MAC_NO_ACK, fw.timing.no_ack)
    else:
        _confirm_later(fw, confirm, NWK_ROUTE_DISCOVERY_FAILED, fw.timing.no_ack)


def _frame(fw: Firmware, mode: Dst, dst: int, params: dict[str, Any], dst_ep: int) -> ApsFrame:
    return ApsFrame(
        src=COORDINATOR_NWK,
        dst_mode=mode,
        dst=dst,
        src_ep=int(params["src_ep"]),
        dst_ep=dst_ep,
        profile=int(params["profile_id"]),
        cluster=int(params["cluster_id"]),
        data=bytes(params["asdu"]),
        src_ieee=fw.ieee,
        radius=int(params["radius"]) or 30,
    )


def _confirm_later(fw: Firmware, confirm: Confirm, status: int, delay: float) -> None:
    fw.later(delay, _confirmed, fw, Confirm(**{**vars(confirm), "status": status}))


def _confirmed(fw: Firmware, confirm: Confirm) -> None:
    fw.runtime.confirms.append(confirm)
    fw.notify()


def _local_permit(fw: Firmware, asdu: bytes) -> None:
    """The stick obeys its own broadcast Mgmt_Permit_Joining_req, as routers do."""
    try:
        _, _, args = zdo.decode(zdo_t.ZDOCmd.Mgmt_Permit_Joining_req, asdu)
    except (ValueError, KeyError):
        return
    fw.set_permit(int(args[0]))


# -- frames to the host -----------------------------------------------------------------------
def indicate(fw: Firmware, frame: ApsFrame) -> None:
    """A frame from the air for the coordinator becomes a pending data indication."""
    if not fw.runtime.connected:
        return
    if frame.dst_mode is Dst.GROUP:
        dst_mode, dst = AddressMode.GROUP, frame.dst
    else:
        dst_mode, dst = AddressMode.NWK, frame.dst
    fw.queue_indication(
        Indication(
            dst_mode=int(dst_mode),
            dst=dst,
            dst_ep=frame.dst_ep,
            src_nwk=frame.src,
            src_ieee=frame.src_ieee or zt.EUI64(bytes(8)),
            src_ep=frame.src_ep,
            profile=frame.profile,
            cluster=frame.cluster,
            asdu=frame.data,
            lqi=frame.lqi,
        )
    )


def _loopback(
    fw: Firmware,
    confirm: Confirm,
    dst_ep: int,
    profile: int,
    cluster: int,
    asdu: bytes,
    src_ep: int,
) -> None:
    """Frames to the stick itself never touch the radio."""
    if dst_ep == 0 and profile == 0:
        fw.later(fw.air.latency, local_zdo, fw, cluster, asdu)
    elif any(d.endpoint == dst_ep for d in fw.config.endpoints):
        frame = ApsFrame(
            src=COORDINATOR_NWK,
            dst_mode=Dst.NWK,
            dst=COORDINATOR_NWK,
            src_ep=src_ep,
            dst_ep=dst_ep,
            profile=profile,
            cluster=cluster,
            data=asdu,
            src_ieee=fw.ieee,
        )
        fw.later(fw.air.latency, indicate, fw, frame)
    _confirm_later(fw, confirm, SUCCESS, fw.air.latency)


# -- the coordinator's ZDO server ---------------------------------------------------------------
class CoordinatorNode:
    """Adapts :class:`Firmware` to the shared ZDO server's ``ZdoNode`` protocol."""

    def __init__(self, fw: Firmware) -> None:
        self.fw = fw

    @property
    def ieee(self) -> zt.EUI64:
        return self.fw.ieee

    @property
    def nwk(self) -> int | None:
        return COORDINATOR_NWK

    def node_descriptor(self) -> zdo_t.NodeDescriptor:
        descriptor = zdo.coordinator_descriptor()
        descriptor.manufacturer_code = zt.uint16_t(DRESDEN_ELEKTRONIK)
        return descriptor

    def active_endpoints(self) -> list[int]:
        return [d.endpoint for d in self.fw.config.endpoints if d.endpoint]

    def simple_descriptor(self, endpoint: int) -> zdo_t.SimpleDescriptor | None:
        return next((d for d in self.fw.config.endpoints if d.endpoint == endpoint), None)

    def neighbors(self) -> list[zdo_t.Neighbor]:
        net = self.fw.air_network
        if net is None:
            return []
        return [
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
            for device in self.fw.air.members()
            if self.fw.air.reachable(device) and device.nwk is not None
        ]

    def bindings(self) -> list[zdo_t.Binding]:
        return []

    def bind(self, binding: zdo_t.Binding, add: bool) -> zdo.Status:
        return zdo.Status.SUCCESS if add else zdo.Status.NO_ENTRY

    def leave(self, rejoin: bool) -> None:
        """A coordinator does not leave its own network."""

    def nwk_update(self, update: zdo_t.NwkUpdate, tsn: int) -> None:
        if update.ScanDuration <= 0x05:
            self.fw.spawn(energy_scan(self.fw, update, tsn))


def local_zdo(fw: Firmware, cluster: int, data: bytes) -> None:
    result = zdo.answer(CoordinatorNode(fw), cluster, data, broadcast=False)
    if result is None:
        return
    tsn, response = result
    _zdo_to_host(
        fw, response.command, bytes([tsn]) + zdo.encode(response.command, tsn, response.args)
    )


def _zdo_to_host(fw: Firmware, cluster: int, payload: bytes) -> None:
    frame = ApsFrame(
        src=COORDINATOR_NWK,
        dst_mode=Dst.NWK,
        dst=COORDINATOR_NWK,
        src_ep=0,
        dst_ep=0,
        profile=0,
        cluster=cluster,
        data=payload,
        src_ieee=fw.ieee,
    )
    indicate(fw, frame)


async def energy_scan(fw: Firmware, update: zdo_t.NwkUpdate, tsn: int) -> None:
    """ED scan of each channel for (2^n + 1) superframes, ``ScanCount`` times."""
    channels = list(update.ScanChannels)
    count = max(int(update.ScanCount or 1), 1)
    slot = (2 ** int(update.ScanDuration) + 1) * BASE_SUPERFRAME
    await asyncio.sleep(len(channels) * count * slot * fw.timing.energy_scan_scale)
    energies = [fw.energy(int(ch)) // ENERGY_DIVISOR for ch in channels]
    args = (zdo.Status.SUCCESS, update.ScanChannels, 0, 0, energies)
    payload = bytes([tsn]) + zdo.encode(zdo.ZDOCmd.Mgmt_NWK_Update_rsp, tsn, args)
    fw.log_event(f"energy scan of {len(channels)} channels done")
    _zdo_to_host(fw, zdo.ZDOCmd.Mgmt_NWK_Update_rsp, payload)
