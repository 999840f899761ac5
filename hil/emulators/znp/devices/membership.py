"""Which network a simulated device belongs to, and how it lists its neighbours.

Kept apart from the device so the trust center and the persistence code can use the
membership record without the device's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import zigpy.types as zt
import zigpy.zdo.types as zdo_t

from ..air import NetworkId


@dataclass
class Membership:
    """The network a device has joined: who it can talk to and under which address."""

    network: NetworkId
    nwk: int
    update_id: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "extended_pan_id": str(self.network.extended_pan_id),
            "pan_id": self.network.pan_id,
            "nwk": self.nwk,
            "update_id": self.update_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Membership:
        network = NetworkId(zt.EUI64.convert(data["extended_pan_id"]), int(data["pan_id"]))
        return cls(network, int(data["nwk"]), int(data.get("update_id", 0)))


def neighbor(network: NetworkId, ieee: zt.EUI64, nwk: int, kind: int, lqi: int) -> zdo_t.Neighbor:
    return zdo_t.Neighbor(
        extended_pan_id=network.extended_pan_id,
        ieee=ieee,
        nwk=nwk,
        device_type=zdo_t.DeviceType(kind),
        rx_on_when_idle=zdo_t.RxOnWhenIdle.On,
        relationship=zdo_t.Relationship.Sibling,
        reserved1=0,
        permit_joining=zdo_t.PermitJoins.Unknown,
        reserved2=0,
        depth=0 if kind == 0 else 1,
        lqi=lqi or 255,
    )
