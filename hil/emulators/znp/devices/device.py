"""A simulated Zigbee 3.0 router (lamp or plug): radio membership, ZDO and ZCL.

The device talks only through the :class:`~..air.Air`; it never touches MT frames.
Everything that changes at run time (membership, power, attribute values, groups) can be
saved with :meth:`SimDevice.to_state` and restored with :meth:`SimDevice.load_state`,
so a restarted emulator finds its lamps as they were.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING, Any

import zigpy.types as zt
import zigpy.zdo.types as zdo_t

from .. import zdo
from ..air import COORDINATOR_NWK, ApsFrame, Dst, NetworkId
from ..timing import Timing
from . import bound, device_state, zcl_in
from .endpoint import SimEndpoint
from .membership import Membership, neighbor
from .servers import CLIENTS, OUT_CLUSTERS, SERVERS
from .spec import PROFILE_HA, DeviceSpec

if TYPE_CHECKING:
    from ..air import Air

LOGGER = logging.getLogger(__name__)

__all__ = ["SERVERS", "Membership", "SimDevice"]

#: MAC capabilities a mains-powered router announces (Device_annce).
ROUTER_CAPABILITIES = 0x8E
COORDINATOR_ENDPOINT = 1


class SimDevice:
    #: The endpoint type; sensors use one that reports only what was configured.
    endpoint_class: type[SimEndpoint] = SimEndpoint

    def __init__(self, spec: DeviceSpec, *, timing: Timing, rng: random.Random) -> None:
        self.spec = spec
        self.timing = timing
        self._rng = rng
        self.online = spec.online
        self.channel = spec.channel
        self.membership: Membership | None = None
        if not spec.factory_new:
            self.membership = Membership(
                NetworkId(zt.EUI64(rng.randbytes(8)), rng.randint(1, 0xFFF7)),
                rng.randint(1, 0xFFF7),
            )
        self.endpoint = self.endpoint_class(self, spec.endpoint)
        self._build_clusters(self.endpoint)
        self._bindings: list[zdo_t.Binding] = []
        self._air: Air | None = None
        self._tsn = rng.randrange(256)
        self._timers: set[asyncio.TimerHandle] = set()
        self.frames_received = 0

    def _build_clusters(self, endpoint: SimEndpoint) -> None:
        for cluster_id in self.spec.in_clusters:
            server = SERVERS.get(cluster_id)
            if server is not None:
                endpoint.add(server)
        for cluster_id in OUT_CLUSTERS:
            endpoint.add_client(CLIENTS[cluster_id])

    # -- identity ---------------------------------------------------------------------
    @property
    def ieee(self) -> zt.EUI64:
        return self.spec.ieee

    @property
    def nwk(self) -> int | None:
        return None if self.membership is None else self.membership.nwk

    @property
    def network(self) -> NetworkId | None:
        return None if self.membership is None else self.membership.network

    @property
    def factory_new(self) -> bool:
        return self.membership is None

    @property
    def endpoints(self) -> dict[int, SimEndpoint]:
        """Every application endpoint by id (lamps have one)."""
        return {self.endpoint.endpoint_id: self.endpoint}

    @property
    def mac_capabilities(self) -> int:
        """What Device_annce says about the node (a mains-powered router here)."""
        return ROUTER_CAPABILITIES

    def delivery_delay(self) -> float | None:
        """How long the parent must hold a frame before this node hears it: 0 for a
        router, which always listens (sleepy end devices override this)."""
        return 0.0

    def attach(self, air: Air) -> None:
        self._air = air

    @property
    def air(self) -> Air | None:
        return self._air

    def next_tsn(self) -> int:
        self._tsn = (self._tsn + 1) % 256
        return self._tsn

    def in_group(self, group: int) -> bool:
        return any(group in ep.groups for ep in self.endpoints.values())

    def later(self, delay: float, callback: Any, *args: Any) -> asyncio.TimerHandle:
        """Runs ``callback`` after ``delay`` unless the device loses power first."""
        return self._later(delay, callback, *args)

    def _later(self, delay: float, callback: Any, *args: Any) -> asyncio.TimerHandle:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def run() -> None:
            self._timers.discard(handle)
            callback(*args)

        handle = loop.call_later(delay, run)
        self._timers.add(handle)
        return handle

    def cancel_timers(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()

    # -- radio in -----------------------------------------------------------------------
    def receive(self, frame: ApsFrame) -> None:
        self.frames_received += 1
        if frame.dst_ep == 0 and frame.profile == 0:
            self._zdo(frame)
        else:
            zcl_in.deliver(self, frame)

    def _zdo(self, frame: ApsFrame) -> None:
        result = zdo.answer(self, frame.cluster, frame.data, broadcast=not frame.is_unicast)
        if result is None:
            return
        tsn, response = result
        data = bytes([tsn]) + zdo.encode(response.command, tsn, response.args)
        self._uplink(0, 0, 0x0000, response.command, data, delay=self.timing.device_processing)
        if response.after is not None:
            self._later(self.timing.device_processing * 2, response.after)

    # -- radio out ----------------------------------------------------------------------
    def send_zcl(
        self, src_ep: int, cluster: int, data: bytes, *, dst_ep: int = COORDINATOR_ENDPOINT
    ) -> None:
        self._uplink(src_ep, dst_ep, PROFILE_HA, cluster, data, delay=self.timing.device_processing)

    def send_raw(self, src_ep: int, cluster: int, data: bytes, *, dst_ep: int = 1) -> None:
        """Any bytes as the payload of an HA frame to the coordinator (fault injection:
        malformed ZCL, unknown clusters)."""
        self._uplink(src_ep, dst_ep, PROFILE_HA, cluster, data)

    def send_bound(
        self, src_ep: int, cluster: int, data: bytes, *, fallback_group: int | None = None
    ) -> int:
        """Sends a ZCL frame to the bindings of (endpoint, cluster); see
        :func:`.bound.send_bound`. Returns the number of frames sent."""
        return bound.send_bound(self, self._bindings, src_ep, cluster, data, fallback_group)

    def _uplink(
        self,
        src_ep: int,
        dst_ep: int,
        profile: int,
        cluster: int,
        data: bytes,
        *,
        delay: float = 0.0,
        broadcast: int | None = None,
    ) -> None:
        if self.nwk is None:
            return
        frame = ApsFrame(
            src=self.nwk,
            dst_mode=Dst.NWK if broadcast is None else Dst.BROADCAST,
            dst=COORDINATOR_NWK if broadcast is None else broadcast,
            src_ep=src_ep,
            dst_ep=dst_ep,
            profile=profile,
            cluster=cluster,
            data=data,
            src_ieee=self.ieee,
            lqi=self.spec.lqi,
        )
        if delay > 0:
            self._later(delay, self._send, frame)
        else:
            self._send(frame)

    def _send(self, frame: ApsFrame) -> None:
        if self._air is not None and self.online:
            self._air.uplink(self, frame)

    def announce(self) -> None:
        """Device_annce, broadcast after joining, rejoining or powering up."""
        if self.nwk is None:
            return
        data = bytes([self.next_tsn()]) + zdo.encode(
            zdo.ZDOCmd.Device_annce, 0, (zt.NWK(self.nwk), self.ieee, self.mac_capabilities)
        )
        self.endpoint.forget_reported()
        self._uplink(0, 0, 0x0000, zdo.ZDOCmd.Device_annce, data, broadcast=0xFFFD)

    # -- ZdoNode ------------------------------------------------------------------------
    def node_descriptor(self) -> zdo_t.NodeDescriptor:
        return zdo.router_descriptor(self.spec.manufacturer_code)

    def active_endpoints(self) -> list[int]:
        return [self.endpoint.endpoint_id]

    def simple_descriptor(self, endpoint: int) -> zdo_t.SimpleDescriptor | None:
        if endpoint != self.endpoint.endpoint_id:
            return None
        return zdo_t.SimpleDescriptor(
            endpoint=endpoint,
            profile=PROFILE_HA,
            device_type=self.spec.profile.device_type,
            device_version=1,
            input_clusters=list(self.spec.in_clusters),
            output_clusters=list(OUT_CLUSTERS),
        )

    def neighbors(self) -> list[zdo_t.Neighbor]:
        if self._air is None or self.network is None:
            return []
        table = [neighbor(self.network, self._air.coordinator_ieee(), COORDINATOR_NWK, 0, 0)]
        for other in self._air.members():
            if other is not self and other.online and other.channel == self.channel:
                table.append(neighbor(self.network, other.ieee, other.nwk or 0, 1, other.spec.lqi))
        return table

    def bindings(self) -> list[zdo_t.Binding]:
        return list(self._bindings)

    def set_bindings(self, bindings: list[zdo_t.Binding]) -> None:
        self._bindings = list(bindings)

    def bind(self, binding: zdo_t.Binding, add: bool) -> zdo.Status:
        if binding.SrcAddress != self.ieee:
            return zdo.Status.NOT_SUPPORTED
        if add:
            if binding not in self._bindings:
                self._bindings.append(binding)
            return zdo.Status.SUCCESS
        if binding in self._bindings:
            self._bindings.remove(binding)
            return zdo.Status.SUCCESS
        return zdo.Status.NO_ENTRY

    def leave(self, rejoin: bool) -> None:
        """Leaves the network (Mgmt_Leave_req): the coordinator sees a leave indication."""
        if self._air is None or self.membership is None:
            return
        was_member = self._air.reachable(self)
        coordinator = self._air.coordinator
        if was_member and coordinator is not None:
            coordinator.device_left(self, rejoin)
        if rejoin and was_member:
            self._later(self.timing.rejoin_delay, self.announce)
            return
        self.membership = None
        self.endpoint.groups.clear()
        self.endpoint.scenes.clear()
        self._bindings.clear()
        LOGGER.info("%s left its network", self.ieee)
        if coordinator is not None and coordinator.permit_open():
            self.permit_opened()  # factory new again: it looks for an open network at once

    def nwk_update(self, update: zdo_t.NwkUpdate, tsn: int) -> None:
        """Follows a channel change broadcast after the broadcast delivery time."""
        if update.ScanDuration != zdo_t.NwkUpdate.CHANNEL_CHANGE_REQ or self.membership is None:
            return
        channels = list(update.ScanChannels)
        if len(channels) != 1:
            return
        channel, update_id = int(channels[0]), int(update.nwkUpdateId or 0)
        self._later(self.timing.broadcast_delivery, self._switch_channel, channel, update_id)

    def _switch_channel(self, channel: int, update_id: int) -> None:
        if self.membership is None or not self.online:
            return
        LOGGER.info("%s moves to channel %d", self.ieee, channel)
        self.channel = channel
        self.membership.update_id = update_id

    # -- network life cycle (driven by the coordinator's trust center) ---------------------
    def joined(self, membership: Membership, channel: int) -> None:
        self.membership = membership
        self.channel = channel
        LOGGER.info("%s joined as 0x%04x on channel %d", self.ieee, membership.nwk, channel)

    def permit_opened(self) -> None:
        """A factory-new device that wants a network tries to join the open one."""
        if self.factory_new and self.spec.auto_join and self.online:
            delay = self.timing.join_delay * (1 + self._rng.random())
            self._later(delay, self.try_join)

    def try_join(self) -> bool:
        if self._air is None or self._air.coordinator is None or not self.online:
            return False
        if not self.factory_new:
            return False
        grant = self._air.coordinator.request_join(self)
        if grant is None:
            return False
        self.joined(grant, self._air.coordinator.air_channel or self.channel)
        self._later(self.timing.device_processing * 3, self.announce)
        return True

    def set_online(self, online: bool) -> None:
        """Mains power: off makes the device deaf and mute; on restores its state and,
        like Zigbee 3.0 lamps, announces itself (rejoining if the network moved)."""
        if online == self.online:
            return
        self.online = online
        if not online:
            self.cancel_timers()
            self.endpoint.finish_all()
            LOGGER.info("%s switched off", self.ieee)
            return
        LOGGER.info("%s switched on", self.ieee)
        device_state.power_up(self.endpoint)
        if self._air is None or self._air.coordinator is None:
            return
        coordinator = self._air.coordinator
        if self.network is not None and self.network == coordinator.air_network:
            if coordinator.air_channel is not None and self.channel != coordinator.air_channel:
                self._later(self.timing.rejoin_delay, self._rejoin)
            else:
                self._later(self.timing.rejoin_delay, self.announce)
        elif self.factory_new and coordinator.permit_open():
            self.permit_opened()

    def _rejoin(self) -> None:
        """Network recovery after missing a channel change: scan, find our PAN, rejoin."""
        coordinator = self._air.coordinator if self._air else None
        if coordinator is None or coordinator.air_channel is None or not self.online:
            return
        if self.network != coordinator.air_network:
            return
        self.channel = coordinator.air_channel
        LOGGER.info("%s rejoined on channel %d", self.ieee, self.channel)
        self.announce()

    def factory_reset(self) -> None:
        """Back to factory new (touchlink reset): leaves, forgets groups and state."""
        if self.membership is not None and self._air is not None and self._air.reachable(self):
            coordinator = self._air.coordinator
            if coordinator is not None:
                coordinator.device_left(self, False)
        self.membership = None
        self.cancel_timers()
        for cluster_id in list(self.endpoint.transitions):
            self.endpoint.stop_transition(cluster_id)
        fresh = self.endpoint_class(self, self.spec.endpoint)
        self._build_clusters(fresh)
        self.endpoint = fresh
        self._bindings.clear()
        LOGGER.info("%s reset to factory new", self.ieee)
        coordinator = self._air.coordinator if self._air is not None else None
        if coordinator is not None and coordinator.permit_open():
            self.permit_opened()  # a factory-new lamp looks for an open network at once

    # -- persistence and inspection -----------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Saved values (:func:`.device_state.to_state`)."""
        return device_state.to_state(self)

    def load_state(self, data: dict[str, Any]) -> None:
        device_state.load_state(self, data)

    def snapshot(self) -> dict[str, Any]:
        return device_state.snapshot(self)
