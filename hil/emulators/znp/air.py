"""The 2.4 GHz space shared by the coordinator and the simulated devices.

Why one place for this: whether a frame arrives depends on channel, network membership
and power, and both directions (coordinator -> device, device -> coordinator) must apply
the same rule. Deliveries are scheduled on the event loop after a per-hop latency, so
replies arrive asynchronously just as they do over the air.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import zigpy.types as zt

if TYPE_CHECKING:
    from .devices.device import Membership, SimDevice

LOGGER = logging.getLogger(__name__)

BROADCAST_ALL = 0xFFFF
BROADCAST_RX_ON = 0xFFFD
BROADCAST_ROUTERS = 0xFFFC
BROADCASTS = frozenset({BROADCAST_ALL, BROADCAST_RX_ON, BROADCAST_ROUTERS, 0xFFFB})
COORDINATOR_NWK = 0x0000


class Dst(enum.Enum):
    NWK = "nwk"
    GROUP = "group"
    BROADCAST = "broadcast"


@dataclass(frozen=True)
class NetworkId:
    """What a node is a member of; equality decides who can decrypt whom."""

    extended_pan_id: zt.EUI64
    pan_id: int


@dataclass(frozen=True)
class ApsFrame:
    """One APS data frame in flight (what an over-the-air sniffer would decode)."""

    src: int
    dst_mode: Dst
    dst: int
    src_ep: int
    dst_ep: int
    profile: int
    cluster: int
    data: bytes
    src_ieee: zt.EUI64 | None = None
    lqi: int = 255
    radius: int = 30

    @property
    def is_unicast(self) -> bool:
        return self.dst_mode is Dst.NWK


class CoordinatorRadio(Protocol):
    """What the air and the devices need from the coordinator (radio + trust center)."""

    @property
    def ieee(self) -> zt.EUI64: ...

    @property
    def air_channel(self) -> int | None: ...

    @property
    def air_network(self) -> NetworkId | None: ...

    def receive_from_air(self, frame: ApsFrame, device: SimDevice) -> None: ...

    def permit_open(self) -> bool: ...

    def request_join(self, device: SimDevice) -> Membership | None: ...

    def device_left(self, device: SimDevice, rejoin: bool) -> None: ...


class Air:
    """Connects one coordinator with any number of simulated devices."""

    def __init__(self, latency: float = 0.004) -> None:
        self.latency = latency
        self.coordinator: CoordinatorRadio | None = None
        self.devices: dict[zt.EUI64, SimDevice] = {}
        self.observers: list[Callable[[str, ApsFrame], None]] = []

    def add(self, device: SimDevice) -> None:
        self.devices[device.ieee] = device
        device.attach(self)

    def members(self) -> Iterator[SimDevice]:
        """Devices that belong to the coordinator's current network (on or off)."""
        network = self.coordinator.air_network if self.coordinator else None
        for device in self.devices.values():
            if network is not None and device.network == network:
                yield device

    def coordinator_ieee(self) -> zt.EUI64:
        return self.coordinator.ieee if self.coordinator else zt.EUI64(bytes(8))

    def permit_opened(self) -> None:
        """Factory-new devices start looking for the network that now accepts joins."""
        for device in list(self.devices.values()):
            device.permit_opened()

    def by_nwk(self, nwk: int) -> SimDevice | None:
        for device in self.members():
            if device.nwk == nwk:
                return device
        return None

    def by_ieee(self, ieee: zt.EUI64) -> SimDevice | None:
        return self.devices.get(ieee)

    def reachable(self, device: SimDevice) -> bool:
        """The coordinator and the device hear each other on the network right now."""
        coordinator = self.coordinator
        if coordinator is None or not device.online:
            return False
        network = coordinator.air_network
        return (
            network is not None
            and device.network == network
            and device.channel == coordinator.air_channel
        )

    # -- coordinator -> devices -------------------------------------------------------
    # A frame on the air reaches whoever is listening when it arrives: whether it is
    # sent depends on the sender now, whether it is heard on the receiver then.
    def unicast(self, device: SimDevice, frame: ApsFrame) -> bool:
        """Sends to one device; returns whether it will be acknowledged."""
        if not self.reachable(device):
            return False
        self._notify("down", frame)
        self._schedule(self._deliver, device, frame)
        return True

    def broadcast(self, frame: ApsFrame) -> int:
        """Delivers to every reachable member whose endpoint/group matches."""
        self._notify("down", frame)
        count = 0
        for device in list(self.members()):
            if not self.reachable(device):
                continue
            if frame.dst_mode is Dst.GROUP and not device.in_group(frame.dst):
                continue
            count += 1
            self._schedule(self._deliver, device, frame)
        return count

    def _schedule(self, deliver: Callable[..., None], device: SimDevice, frame: ApsFrame) -> None:
        coordinator = self.coordinator
        channel = coordinator.air_channel if coordinator else None
        network = coordinator.air_network if coordinator else None
        asyncio.get_running_loop().call_later(
            self.latency, deliver, device, frame, channel, network
        )

    def _deliver(
        self, device: SimDevice, frame: ApsFrame, channel: int | None, network: NetworkId | None
    ) -> None:
        if device.online and device.channel == channel and device.network == network:
            device.receive(frame)

    # -- devices -> coordinator -------------------------------------------------------
    def uplink(self, device: SimDevice, frame: ApsFrame) -> bool:
        if not self.reachable(device):
            LOGGER.debug("%s: frame to coordinator lost (not reachable)", device.ieee)
            return False
        self._notify("up", frame)
        asyncio.get_running_loop().call_later(
            self.latency, self._to_coordinator, device, frame, device.channel, device.network
        )
        return True

    def groupcast_from(self, device: SimDevice, frame: ApsFrame) -> int:
        """A device's groupcast (a remote controlling its group): every reachable
        member of the group hears it, and so does the coordinator, which passes it on
        only to its endpoints in that group. Returns how many devices got it."""
        if not self.reachable(device):
            return 0
        self._notify("up", frame)
        count = 0
        for member in list(self.members()):
            if member is device or not self.reachable(member) or not member.in_group(frame.dst):
                continue
            count += 1
            self._schedule(self._deliver, member, frame)
        asyncio.get_running_loop().call_later(
            self.latency, self._to_coordinator, device, frame, device.channel, device.network
        )
        return count

    def _to_coordinator(
        self, device: SimDevice, frame: ApsFrame, channel: int | None, network: NetworkId | None
    ) -> None:
        coordinator = self.coordinator
        if (
            coordinator is not None
            and coordinator.air_channel == channel
            and coordinator.air_network == network
        ):
            coordinator.receive_from_air(frame, device)

    def _notify(self, direction: str, frame: ApsFrame) -> None:
        for observer in self.observers:
            observer(direction, frame)
