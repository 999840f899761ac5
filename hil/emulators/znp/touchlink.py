"""Touchlink (ZLL commissioning over inter-PAN): targets that answer the initiator.

Contract, as gateways drive it through Z-Stack (see zigbee-herdsman's ZNP touchlink):
``AF.InterPanCtl`` Set(channel) and Reg(endpoint), then ``AF.DataRequestExt`` to PAN
0xFFFF, destination endpoint 0xFE, cluster 0x1000: a broadcast (NWK 0xFFFF) for the Scan
Request, IEEE-addressed for Identify and Reset-to-factory-new. Targets on the channel
the radio is tuned to answer from endpoint 0xFE; Z-Stack hands their frames to the
registered inter-PAN endpoint as ``AF.IncomingMsgExt`` with the 64-bit source address.

Targets follow the ZLL rules that matter to a gateway: identify and reset are accepted
only with the transaction id of a scan seen in the last 8 s; a reset makes the lamp
leave its network and become factory new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy.zcl.clusters.lightlink import (
    DeviceInfoRecord,
    LightLink,
    LogicalType,
    ScanResponseInformation,
    ZigbeeInformation,
)

from .devices import zcl
from .devices.spec import PROFILE_HA

if TYPE_CHECKING:
    from .devices.device import SimDevice
    from .outbound import TxRequest
    from .zstack import ZStack

LOGGER = logging.getLogger(__name__)

INTERPAN_ENDPOINT = 0xFE
LIGHTLINK = LightLink.cluster_id
TRANSACTION_LIFETIME = 8.0  # aplcInterPANTransIdLifetime
DEFAULT_IDENTIFY_S = 3.0  # identify_duration 0xFFFF: "the target's default"
KEY_BITMASK = 0x0010  # certification key
Server = LightLink.ServerCommandDefs
Client = LightLink.ClientCommandDefs


#: The touchlink server commands a target answers (others are ignored, as by lamps).
TARGET_COMMANDS = {
    int(d.id): d
    for d in (Server.scan, Server.identify, Server.reset_to_factory_new, Server.device_info)
}


@dataclass
class ScanSeen:
    transaction: int
    at: float


class Touchlink:
    """Routes inter-PAN frames between the coordinator radio and touchlink targets."""

    def __init__(self, stack: ZStack) -> None:
        self.stack = stack
        self._scans: dict[zt.EUI64, ScanSeen] = {}
        self.log: list[str] = []

    def _note(self, text: str) -> None:
        LOGGER.info("touchlink: %s", text)
        self.log.append(text)
        del self.log[:-50]

    # -- initiator (host) side -----------------------------------------------------------
    def transmit(self, req: TxRequest) -> t.Status:
        """An inter-PAN AF_DATA_REQUEST_EXT; returns the SRSP status."""
        stack = self.stack
        if req.src_ep not in stack.runtime.endpoints:
            return t.Status.INVALID_PARAMETER
        channel = stack.air_channel
        if channel is None:
            return t.Status.NWK_INVALID_REQUEST
        stack.later(
            2 * stack.air.latency,
            stack.send,
            c.AF.DataConfirm.Callback(Status=t.Status.SUCCESS, Endpoint=req.src_ep, TSN=req.tsn),
        )
        if req.cluster != LIGHTLINK:
            return t.Status.SUCCESS
        for device in self._targets_on(channel):
            if req.dst_mode == t.AddrMode.IEEE and req.dst != device.ieee:
                continue
            stack.later(stack.air.latency, self._deliver, device, channel, req.data)
        return t.Status.SUCCESS

    def _targets_on(self, channel: int) -> list[SimDevice]:
        return [
            d
            for d in self.stack.air.devices.values()
            if d.spec.touchlink and d.online and d.channel == channel
        ]

    # -- target side ------------------------------------------------------------------------
    def _deliver(self, device: SimDevice, channel: int, data: bytes) -> None:
        if not device.online or device.channel != channel:
            return  # heard only by a powered target on the channel it was sent on
        try:
            request = zcl.parse(data)
        except ValueError:
            return
        if request.is_general or not request.to_server:
            return
        entry = TARGET_COMMANDS.get(request.command_id)
        if entry is None:
            return
        try:
            args, _ = entry.schema.deserialize(request.payload)
        except (ValueError, KeyError):
            return
        transaction = int(args.inter_pan_transaction_id)  # type: ignore[attr-defined]
        if entry is Server.scan:
            self._scan(device, request.tsn, transaction, channel)
            return
        seen = self._scans.get(device.ieee)
        now = self.stack.now()
        if seen is None or seen.transaction != transaction or now - seen.at > TRANSACTION_LIFETIME:
            self._note(f"{device.ieee} ignored {entry.name}: unknown transaction {transaction:#x}")
            return
        if entry is Server.identify:
            seconds = args.identify_duration  # type: ignore[attr-defined]
            duration = DEFAULT_IDENTIFY_S if seconds == 0xFFFF else float(seconds)
            device.endpoint.identify(duration, effect="touchlink_identify")
            self._note(f"{device.ieee} identifies for {duration:.0f} s")
        elif entry is Server.reset_to_factory_new:
            self._note(f"{device.ieee} reset to factory new")
            device.factory_reset()
            self._scans.pop(device.ieee, None)
        elif entry is Server.device_info:
            self._device_info(device, request.tsn, transaction, channel)

    def _scan(self, device: SimDevice, tsn: int, transaction: int, channel: int) -> None:
        self._scans[device.ieee] = ScanSeen(transaction, self.stack.now())
        membership = device.membership
        spec = device.spec
        body = Client.scan_rsp.schema(
            inter_pan_transaction_id=transaction,
            rssi_correction=0x00,
            zigbee_info=_zigbee_info(),
            touchlink_info=_touchlink_info(device.factory_new),
            key_bitmask=KEY_BITMASK,
            response_id=self.stack.rng.getrandbits(32),
            epid=membership.network.extended_pan_id if membership else zt.EUI64(bytes(8)),
            nwk_update_id=membership.update_id if membership else 0,
            logical_channel=channel,
            pan_id=membership.network.pan_id if membership else 0xFFFF,
            nwk_addr=membership.nwk if membership else 0xFFFF,
            num_sub_devices=1,
            total_group_ids=0,
            endpoint_id=spec.endpoint,
            profile_id=PROFILE_HA,
            device_id=spec.profile.device_type,
            version=1,
            group_id_count=0,
        )
        frame = zcl.cluster_frame(tsn, int(Client.scan_rsp.id), bytes(body.serialize()))
        self._note(f"{device.ieee} answers scan {transaction:#x} on channel {channel}")
        delay = self.stack.air.latency + self.stack.rng.uniform(0, 0.02)
        self.stack.later(delay, self._to_host, device, frame, channel)

    def _device_info(self, device: SimDevice, tsn: int, transaction: int, channel: int) -> None:
        spec = device.spec
        record = DeviceInfoRecord(
            ieee=device.ieee,
            endpoint_id=spec.endpoint,
            profile_id=PROFILE_HA,
            device_id=spec.profile.device_type,
            version=1,
            group_id_count=0,
            sort=0,
        )
        body = Client.device_info_rsp.schema(
            inter_pan_transaction_id=transaction,
            num_sub_devices=1,
            start_index=0,
            device_info_records=[record],
        )
        frame = zcl.cluster_frame(tsn, int(Client.device_info_rsp.id), bytes(body.serialize()))
        self.stack.later(self.stack.air.latency, self._to_host, device, frame, channel)

    def _to_host(self, device: SimDevice, frame: bytes, channel: int) -> None:
        stack = self.stack
        if stack.air_channel != channel or not device.online:
            return  # the initiator moved on to another channel
        endpoints = stack.runtime.interpan.endpoints
        if not endpoints:
            return  # nobody registered for inter-PAN: Z-Stack drops it
        membership = device.membership
        stack.send(
            c.AF.IncomingMsgExt.Callback(
                GroupId=0x0000,
                ClusterId=LIGHTLINK,
                SrcAddrModeAddress=t.AddrModeAddress(mode=t.AddrMode.IEEE, address=device.ieee),
                SrcEndpoint=INTERPAN_ENDPOINT,
                SrcPanId=membership.network.pan_id if membership else 0xFFFF,
                DstEndpoint=max(endpoints),
                WasBroadcast=t.Bool(False),
                LQI=device.spec.lqi,
                SecurityUse=0,
                TimeStamp=int(stack.now() * 1000) & 0xFFFFFFFF,
                TSN=stack.runtime.next_aps_counter(),
                Data=t.LongBytes(frame),
                MacSrcAddr=0xFFFF,
                MsgResultRadius=0,
            )
        )

    def snapshot(self) -> dict[str, Any]:
        return {"log": list(self.log[-20:])}


def _zigbee_info() -> ZigbeeInformation:
    return ZigbeeInformation(logical_type=LogicalType.Router, rx_on_when_idle=1, reserved=0)


def _touchlink_info(factory_new: bool) -> ScanResponseInformation:
    return ScanResponseInformation(
        factory_new=int(factory_new),
        address_assignment=0,
        reserved1=0,
        touchlink_initiator=0,
        touchlink_priority_request=0,
        reserved2=0,
        profile_interop=1,
    )


__all__ = ["INTERPAN_ENDPOINT", "Touchlink"]
