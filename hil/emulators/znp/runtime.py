"""The coordinator's RAM state: everything a reset forgets.

NVRAM (``nvram.py``) survives resets and restarts; this does not. Keeping the two apart
is what makes reset behaviour faithful: after SYS_RESET the host must register its
endpoints and ZDO callbacks again and restart the network, exactly as on a CC2652.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import zigpy_znp.types as t

#: BDB default primary channel set of Z-Stack 3.30 builds (11, 15, 20, 25).
BDB_PRIMARY_DEFAULT = t.Channels.from_channel_list([11, 15, 20, 25])


@dataclass
class AfEndpoint:
    """An endpoint the host registered with AF_REGISTER."""

    endpoint: int
    profile: int
    device_id: int
    device_version: int
    input_clusters: list[int]
    output_clusters: list[int]


@dataclass
class InterPan:
    """AF_INTER_PAN_CTL state: a temporary channel and the endpoints that get inter-PAN."""

    channel: int | None = None
    endpoints: set[int] = field(default_factory=set)


@dataclass
class CoordinatorRuntime:
    device_state: t.DeviceState = t.DeviceState.InitializedNotStarted
    booting: bool = False
    endpoints: dict[int, AfEndpoint] = field(default_factory=dict)
    zdo_callbacks: set[int] = field(default_factory=set)
    bdb_primary: t.Channels = BDB_PRIMARY_DEFAULT
    bdb_secondary: t.Channels = t.Channels.NO_CHANNELS
    permit_until: float = 0.0
    interpan: InterPan = field(default_factory=InterPan)
    groups: dict[int, dict[int, str]] = field(default_factory=dict)
    commissioning: bool = False
    started_at: float = 0.0
    tx_power: int = 5
    aps_counter: int = 0
    zdo_tsn: int = 0

    def next_aps_counter(self) -> int:
        self.aps_counter = (self.aps_counter + 1) % 256
        return self.aps_counter

    def next_zdo_tsn(self) -> int:
        self.zdo_tsn = (self.zdo_tsn + 1) % 256
        return self.zdo_tsn

    @property
    def running(self) -> bool:
        return bool(self.device_state == t.DeviceState.StartedAsCoordinator)
