"""The stick's RAM: what a reset or an unplug forgets.

The settings in :mod:`.params` survive; the network state, the permit-join window, the
queues of data indications and confirms waiting for the host, the APS request slots and
the watchdog do not — exactly the split that makes a ConBee come back OFFLINE after a
reset, waiting for the host to start the network again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

import zigpy.types as zt
from zigpy_deconz.api import NetworkState

#: APS data requests the firmware holds at once (each until the host reads its confirm).
APS_SLOTS = 4
#: Data indications kept for the host; older ones are dropped when it does not read.
INDICATION_QUEUE = 32


@dataclass(frozen=True)
class Indication:
    """One APS frame for the host (an ``aps_data_indication`` answer waiting to be read)."""

    dst_mode: int  # zigpy_deconz.types.AddressMode
    dst: int
    dst_ep: int
    src_nwk: int
    src_ieee: zt.EUI64
    src_ep: int
    profile: int
    cluster: int
    asdu: bytes
    lqi: int


@dataclass(frozen=True)
class Confirm:
    """The outcome of one APS data request (an ``aps_data_confirm`` waiting to be read)."""

    request_id: int
    dst_mode: int
    dst: int | zt.EUI64
    dst_ep: int | None
    src_ep: int
    status: int


@dataclass
class Runtime:
    network_state: NetworkState = NetworkState.OFFLINE
    target_state: NetworkState | None = None  # a change in progress
    permit_until: float = 0.0
    indications: deque[Indication] = field(default_factory=lambda: deque(maxlen=INDICATION_QUEUE))
    confirms: deque[Confirm] = field(default_factory=deque)
    slots_in_use: int = 0
    watchdog: asyncio.TimerHandle | None = None
    watchdog_deadline: float | None = None
    zdo_tsn: int = 0
    reported_flags: int | None = None  # device state the host has last been told

    def next_zdo_tsn(self) -> int:
        self.zdo_tsn = (self.zdo_tsn + 1) % 256
        return self.zdo_tsn

    @property
    def connected(self) -> bool:
        return bool(self.network_state == NetworkState.CONNECTED)
