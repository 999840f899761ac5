"""What a simulated device is: its identity, endpoint and clusters (configuration only).

Why separate from the runtime device: a spec comes from the command line or a devices
file and never changes; everything that changes (network membership, ZCL attribute
values, online flag) lives in :class:`~.device.SimDevice` and is persisted separately.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from typing import Any

import zigpy.types as zt
from zigpy.profiles import zha, zll

PROFILE_HA = zha.PROFILE_ID  # 0x0104
PROFILE_ZLL = zll.PROFILE_ID  # 0xC05E

# Cluster ids, named once so the tables below read like a device datasheet.
BASIC, IDENTIFY, GROUPS, SCENES, ON_OFF, LEVEL, OTA, COLOR, LIGHTLINK = (
    0x0000,
    0x0003,
    0x0004,
    0x0005,
    0x0006,
    0x0008,
    0x0019,
    0x0300,
    0x1000,
)


class DeviceKind(enum.StrEnum):
    ON_OFF_PLUG = "on_off_plug"
    DIMMABLE = "dimmable"
    COLOR_TEMPERATURE = "color_temperature"
    EXTENDED_COLOR = "extended_color"
    # Battery-powered sleepy end devices (layouts in sensor_kinds.py).
    HUE_DIMMER = "hue_dimmer"
    IKEA_REMOTE = "ikea_remote"
    MOTION_SENSOR = "motion_sensor"
    TEMPERATURE_HUMIDITY = "temperature_humidity"
    DOOR_CONTACT = "door_contact"

    @property
    def is_sensor(self) -> bool:
        return self in SENSOR_KINDS


class ColorCapabilities(enum.IntFlag):
    HUE_SATURATION = 0x01
    ENHANCED_HUE = 0x02
    COLOR_LOOP = 0x04
    XY = 0x08
    COLOR_TEMPERATURE = 0x10


@dataclass(frozen=True)
class KindProfile:
    """Datasheet defaults of one device kind (HA device ids as in the ZCL/HA spec)."""

    device_type: int
    in_clusters: tuple[int, ...]
    color_capabilities: int
    manufacturer: str
    model: str
    manufacturer_code: int
    endpoint: int


KINDS: dict[DeviceKind, KindProfile] = {
    DeviceKind.ON_OFF_PLUG: KindProfile(
        device_type=zha.DeviceType.ON_OFF_PLUG_IN_UNIT,
        in_clusters=(BASIC, IDENTIFY, GROUPS, SCENES, ON_OFF),
        color_capabilities=0,
        manufacturer="innr",
        model="SP 220",
        manufacturer_code=0x1166,
        endpoint=1,
    ),
    DeviceKind.DIMMABLE: KindProfile(
        device_type=zha.DeviceType.DIMMABLE_LIGHT,
        in_clusters=(BASIC, IDENTIFY, GROUPS, SCENES, ON_OFF, LEVEL, LIGHTLINK),
        color_capabilities=0,
        manufacturer="Signify Netherlands B.V.",
        model="LWB010",
        manufacturer_code=0x100B,
        endpoint=11,
    ),
    DeviceKind.COLOR_TEMPERATURE: KindProfile(
        device_type=zha.DeviceType.COLOR_TEMPERATURE_LIGHT,
        in_clusters=(BASIC, IDENTIFY, GROUPS, SCENES, ON_OFF, LEVEL, COLOR, LIGHTLINK),
        color_capabilities=ColorCapabilities.COLOR_TEMPERATURE,
        manufacturer="Signify Netherlands B.V.",
        model="LTW012",
        manufacturer_code=0x100B,
        endpoint=11,
    ),
    DeviceKind.EXTENDED_COLOR: KindProfile(
        device_type=zha.DeviceType.EXTENDED_COLOR_LIGHT,
        in_clusters=(BASIC, IDENTIFY, GROUPS, SCENES, ON_OFF, LEVEL, COLOR, LIGHTLINK),
        color_capabilities=0x1F,
        manufacturer="Signify Netherlands B.V.",
        model="LCT015",
        manufacturer_code=0x100B,
        endpoint=11,
    ),
}

# Sensors: in_clusters/endpoint name the primary endpoint; every endpoint is listed in
# sensor_kinds.LAYOUTS. Device ids as in the HA/ZLL profiles.
KINDS.update(
    {
        DeviceKind.HUE_DIMMER: KindProfile(
            device_type=0x000C,  # simple sensor (endpoint 2 of the RWL021)
            in_clusters=(BASIC, 0x0001, IDENTIFY, 0x000F, 0xFC00),
            color_capabilities=0,
            manufacturer="Philips",
            model="RWL021",
            manufacturer_code=0x100B,
            endpoint=2,
        ),
        DeviceKind.IKEA_REMOTE: KindProfile(
            device_type=zha.DeviceType.NON_COLOR_CONTROLLER,
            in_clusters=(BASIC, 0x0001, IDENTIFY, 0x0009, 0x0020, LIGHTLINK, 0xFC7C),
            color_capabilities=0,
            manufacturer="IKEA of Sweden",
            model="TRADFRI remote control",
            manufacturer_code=0x117C,
            endpoint=1,
        ),
        DeviceKind.MOTION_SENSOR: KindProfile(
            device_type=zha.DeviceType.OCCUPANCY_SENSOR,
            in_clusters=(BASIC, 0x0001, IDENTIFY, 0x0400, 0x0402, 0x0406),
            color_capabilities=0,
            manufacturer="Philips",
            model="SML001",
            manufacturer_code=0x100B,
            endpoint=2,
        ),
        DeviceKind.TEMPERATURE_HUMIDITY: KindProfile(
            device_type=zha.DeviceType.TEMPERATURE_SENSOR,
            in_clusters=(BASIC, 0x0001, IDENTIFY, 0x0402, 0x0405),
            color_capabilities=0,
            manufacturer="eWeLink",
            model="TH01",
            manufacturer_code=0x0000,
            endpoint=1,
        ),
        DeviceKind.DOOR_CONTACT: KindProfile(
            device_type=zha.DeviceType.IAS_ZONE,
            in_clusters=(BASIC, 0x0001, IDENTIFY, 0x0500),
            color_capabilities=0,
            manufacturer="eWeLink",
            model="DS01",
            manufacturer_code=0x0000,
            endpoint=1,
        ),
    }
)

SENSOR_KINDS = frozenset(
    {
        DeviceKind.HUE_DIMMER,
        DeviceKind.IKEA_REMOTE,
        DeviceKind.MOTION_SENSOR,
        DeviceKind.TEMPERATURE_HUMIDITY,
        DeviceKind.DOOR_CONTACT,
    }
)

#: ``--sensors``: one of each, at stable addresses (see :func:`sensor_ieee`).
SENSOR_CYCLE = (
    DeviceKind.HUE_DIMMER,
    DeviceKind.IKEA_REMOTE,
    DeviceKind.MOTION_SENSOR,
    DeviceKind.TEMPERATURE_HUMIDITY,
    DeviceKind.DOOR_CONTACT,
)

#: The order ``--lights N`` cycles through, so a small rig already has every kind.
LIGHT_CYCLE = (
    DeviceKind.EXTENDED_COLOR,
    DeviceKind.COLOR_TEMPERATURE,
    DeviceKind.DIMMABLE,
    DeviceKind.ON_OFF_PLUG,
)


@dataclass(frozen=True)
class DeviceSpec:
    """One simulated device. ``channel`` is where it listens while not on our network
    (touchlink targets answer inter-PAN only there); ``factory_new=False`` puts it in a
    foreign network it will not leave until reset (e.g. by touchlink)."""

    ieee: zt.EUI64
    kind: DeviceKind = DeviceKind.EXTENDED_COLOR
    manufacturer: str = ""
    model: str = ""
    sw_build: str = "1.104.2"
    date_code: str = "20230412"
    power_source: int = -1  # default: 0x01 mains (lamps), 0x03 battery (sensors)
    endpoint: int = 0
    manufacturer_code: int = -1
    ct_min: int = 153
    ct_max: int = 500
    lqi: int = 220
    auto_join: bool = True
    channel: int = 11
    factory_new: bool = True
    touchlink: bool = True
    online: bool = True
    # Sleepy end devices (sensors) only: how long they stay awake after joining or any
    # activity, how often they poll their parent while asleep, their battery level and
    # (remotes) the group they control when nothing is bound.
    awake_time: float = 30.0
    poll_interval: float = 300.0
    battery: int = 100
    group: int = 0

    def __post_init__(self) -> None:
        profile = KINDS[self.kind]
        if self.power_source < 0:
            object.__setattr__(self, "power_source", 0x03 if self.kind.is_sensor else 0x01)
        if not self.manufacturer:
            object.__setattr__(self, "manufacturer", profile.manufacturer)
        if not self.model:
            object.__setattr__(self, "model", profile.model)
        if not self.endpoint:
            object.__setattr__(self, "endpoint", profile.endpoint)
        if self.manufacturer_code < 0:
            object.__setattr__(self, "manufacturer_code", profile.manufacturer_code)
        if self.kind is DeviceKind.ON_OFF_PLUG or self.kind.is_sensor:
            object.__setattr__(self, "touchlink", False)
        if not 0 <= self.battery <= 100:
            raise ValueError(f"battery must be 0..100 %, got {self.battery}")
        if self.awake_time < 0 or self.poll_interval <= 0:
            raise ValueError("need awake_time >= 0 and poll_interval > 0 (seconds)")
        if not 0 <= self.group <= 0xFFF7:
            raise ValueError(f"group must be 0..0xfff7, got {self.group}")
        if not 11 <= self.channel <= 26:
            raise ValueError(f"channel must be 11..26, got {self.channel}")
        if not 1 <= self.endpoint <= 240:
            raise ValueError(f"endpoint must be 1..240, got {self.endpoint}")
        if not 0 < self.ct_min <= self.ct_max <= 0xFEFF:
            raise ValueError("need 0 < ct_min <= ct_max <= 65279")

    @property
    def profile(self) -> KindProfile:
        return KINDS[self.kind]

    @property
    def in_clusters(self) -> tuple[int, ...]:
        clusters = self.profile.in_clusters
        return clusters if self.touchlink else tuple(c for c in clusters if c != LIGHTLINK)

    @property
    def color_capabilities(self) -> int:
        return self.profile.color_capabilities

    def as_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["ieee"] = str(self.ieee)
        data["kind"] = str(self.kind)
        return data


def light_ieee(index: int) -> zt.EUI64:
    """Stable addresses for ``--lights N`` so a state file matches on every start."""
    return zt.EUI64.convert(f"00:17:88:01:0e:00:{(index >> 8) & 0xFF:02x}:{index & 0xFF:02x}")


def sensor_ieee(index: int) -> zt.EUI64:
    return zt.EUI64.convert(f"00:17:88:01:5e:00:{(index >> 8) & 0xFF:02x}:{index & 0xFF:02x}")


def one_of_each_sensor() -> list[DeviceSpec]:
    """``--sensors``: a Hue dimmer, an IKEA remote, a motion sensor, a temperature and
    humidity sensor and a door contact, numbered like ``--lights``."""
    return [DeviceSpec(ieee=sensor_ieee(i), kind=k) for i, k in enumerate(SENSOR_CYCLE, 1)]


def numbered_lights(count: int) -> list[DeviceSpec]:
    return [
        DeviceSpec(ieee=light_ieee(i), kind=LIGHT_CYCLE[(i - 1) % len(LIGHT_CYCLE)])
        for i in range(1, count + 1)
    ]


__all__ = [
    "KINDS",
    "DeviceKind",
    "DeviceSpec",
    "numbered_lights",
    "replace",
]
