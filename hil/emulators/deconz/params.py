"""The stick's non-volatile settings and the network it formed from them.

What the host reads and writes with ``read_parameter``/``write_parameter`` lives in
:class:`StickConfig`; :class:`FormedNetwork` is what the firmware made of it the last
time it went to CONNECTED. Both survive resets and restarts (state file); the deCONZ
rule is that written parameters take effect at the next leave + create/join, which is
why channel changes and restores are "write, go OFFLINE, go CONNECTED".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import zigpy.types as zt
import zigpy.zdo.types as zdo_t

#: Default trust-center link key of Zigbee 3.0.
DEFAULT_TC_LINK_KEY = zt.KeyData(b"ZigBeeAlliance09")
EMPTY_EPID = zt.EUI64(bytes(8))
PROFILE_HA = 0x0104
PROFILE_GP = 0xA1E0
PROFILE_DE = 0xDE00  # dresden elektronik's private profile


def _descriptor(
    endpoint: int, profile: int, device: int, inputs: list[int], outputs: list[int]
) -> zdo_t.SimpleDescriptor:
    return zdo_t.SimpleDescriptor(
        endpoint=endpoint,
        profile=profile,
        device_type=device,
        device_version=1,
        input_clusters=inputs,
        output_clusters=outputs,
    )


def factory_endpoints() -> list[zdo_t.SimpleDescriptor]:
    """The three endpoint slots of a ConBee II as it leaves the factory."""
    return [
        _descriptor(
            0x01,
            PROFILE_HA,
            0x0005,
            [0x0000, 0x0006, 0x000A, 0x0019, 0x0501],
            [0x0001, 0x0020, 0x0500, 0x0502],
        ),
        _descriptor(0xF2, PROFILE_GP, 0x0064, [], [0x0021]),
        _descriptor(0x50, PROFILE_DE, 0x0005, [0x0001], []),
    ]


@dataclass(frozen=True)
class FormedNetwork:
    """The network the coordinator runs (or ran before it went OFFLINE)."""

    channel: int
    pan_id: int
    extended_pan_id: zt.EUI64
    update_id: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "pan_id": self.pan_id,
            "extended_pan_id": str(self.extended_pan_id),
            "update_id": self.update_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormedNetwork:
        return cls(
            int(data["channel"]),
            int(data["pan_id"]),
            zt.EUI64.convert(data["extended_pan_id"]),
            int(data["update_id"]),
        )


@dataclass
class StickConfig:
    """Parameters the host configures; defaults are a factory-new ConBee II."""

    mac_address: zt.EUI64
    nwk_address: int = 0x0000
    designed_coordinator: int = 1
    channel_mask: int = int(zt.Channels.ALL_CHANNELS)
    use_predefined_panid: bool = False
    pan_id: int = 0xFFFF
    aps_extended_panid: zt.EUI64 = EMPTY_EPID
    trust_center: zt.EUI64 | None = None  # None: our own address
    security_mode: int = 3  # ONLY_TCLK
    network_key: zt.KeyData = field(default_factory=lambda: zt.KeyData(bytes(16)))
    link_keys: dict[zt.EUI64, zt.KeyData] = field(default_factory=dict)
    nwk_update_id: int = 0
    frame_counter: int = 0
    zdp_response_handling: int = 0
    endpoints: list[zdo_t.SimpleDescriptor] = field(default_factory=factory_endpoints)
    network: FormedNetwork | None = None  # what the last formation produced
    devices: dict[zt.EUI64, int] = field(default_factory=dict)  # trust center: IEEE -> NWK

    @property
    def trust_center_address(self) -> zt.EUI64:
        return self.trust_center if self.trust_center is not None else self.mac_address

    def link_key(self, ieee: zt.EUI64) -> zt.KeyData:
        return self.link_keys.get(ieee, DEFAULT_TC_LINK_KEY)

    def with_network(self, network: FormedNetwork | None) -> StickConfig:
        return replace(self, network=network)

    # -- state file ---------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "mac_address": str(self.mac_address),
            "nwk_address": self.nwk_address,
            "designed_coordinator": self.designed_coordinator,
            "channel_mask": self.channel_mask,
            "use_predefined_panid": self.use_predefined_panid,
            "pan_id": self.pan_id,
            "aps_extended_panid": str(self.aps_extended_panid),
            "trust_center": None if self.trust_center is None else str(self.trust_center),
            "security_mode": self.security_mode,
            "network_key": self.network_key.serialize().hex(),
            "link_keys": {str(k): v.serialize().hex() for k, v in self.link_keys.items()},
            "nwk_update_id": self.nwk_update_id,
            "frame_counter": self.frame_counter,
            "zdp_response_handling": self.zdp_response_handling,
            "endpoints": [d.serialize().hex() for d in self.endpoints],
            "network": None if self.network is None else self.network.as_dict(),
            "devices": {str(k): v for k, v in self.devices.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StickConfig:
        def key(text: str) -> zt.KeyData:
            return zt.KeyData(bytes.fromhex(text))

        trust_center = data.get("trust_center")
        network = data.get("network")
        return cls(
            mac_address=zt.EUI64.convert(data["mac_address"]),
            nwk_address=int(data["nwk_address"]),
            designed_coordinator=int(data["designed_coordinator"]),
            channel_mask=int(data["channel_mask"]),
            use_predefined_panid=bool(data["use_predefined_panid"]),
            pan_id=int(data["pan_id"]),
            aps_extended_panid=zt.EUI64.convert(data["aps_extended_panid"]),
            trust_center=None if trust_center is None else zt.EUI64.convert(trust_center),
            security_mode=int(data["security_mode"]),
            network_key=key(data["network_key"]),
            link_keys={zt.EUI64.convert(k): key(v) for k, v in data["link_keys"].items()},
            nwk_update_id=int(data["nwk_update_id"]),
            frame_counter=int(data["frame_counter"]),
            zdp_response_handling=int(data.get("zdp_response_handling", 0)),
            endpoints=[
                zdo_t.SimpleDescriptor.deserialize(bytes.fromhex(h))[0] for h in data["endpoints"]
            ],
            network=None if network is None else FormedNetwork.from_dict(network),
            devices={zt.EUI64.convert(k): int(v) for k, v in data.get("devices", {}).items()},
        )
