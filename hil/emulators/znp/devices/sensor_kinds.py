"""Endpoint layouts of the simulated sensors and remotes, as their datasheets and public
interview dumps list them (zha-quirks signatures, deCONZ device descriptions).

Why a table: the interview (active endpoints, simple descriptors) must match the real
devices so the gateway recognises them the way it will recognise the real ones; a reader
checks a device here against its signature without reading any behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

from zigpy.profiles import zha, zll

from .spec import DeviceKind

HA, ZLL = zha.PROFILE_ID, zll.PROFILE_ID

# Cluster ids used below.
BASIC, POWER, IDENTIFY, GROUPS, SCENES, ON_OFF, LEVEL = 0x0000, 0x0001, 0x0003, 0x0004, 0x0005, 6, 8
ALARMS, BINARY_INPUT, POLL_CONTROL, OTA, COLOR = 0x0009, 0x000F, 0x0020, 0x0019, 0x0300
ILLUMINANCE, TEMPERATURE, HUMIDITY, OCCUPANCY = 0x0400, 0x0402, 0x0405, 0x0406
IAS_ZONE, LIGHTLINK, HUE_BUTTONS, IKEA_PRIVATE = 0x0500, 0x1000, 0xFC00, 0xFC7C


@dataclass(frozen=True)
class EndpointLayout:
    endpoint: int
    profile: int
    device_type: int
    in_clusters: tuple[int, ...]
    out_clusters: tuple[int, ...]


LAYOUTS: dict[DeviceKind, tuple[EndpointLayout, ...]] = {
    # Hue dimmer switch RWL021: ZLL controller on 1 (sends On/Off, Level, Scenes to its
    # bindings), HA simple sensor on 2 with battery and the 0xFC00 button cluster.
    DeviceKind.HUE_DIMMER: (
        EndpointLayout(
            1,
            ZLL,
            zll.DeviceType.CONTROLLER,
            (BASIC,),
            (BASIC, IDENTIFY, GROUPS, ON_OFF, LEVEL, SCENES),
        ),
        EndpointLayout(
            2,
            HA,
            0x000C,
            (BASIC, POWER, IDENTIFY, BINARY_INPUT, HUE_BUTTONS),
            (OTA,),
        ),
    ),
    # IKEA TRADFRI remote control E1524/E1810: one HA endpoint, commands go out.
    DeviceKind.IKEA_REMOTE: (
        EndpointLayout(
            1,
            HA,
            zha.DeviceType.NON_COLOR_CONTROLLER,
            (BASIC, POWER, IDENTIFY, ALARMS, POLL_CONTROL, LIGHTLINK, IKEA_PRIVATE),
            (BASIC, IDENTIFY, GROUPS, SCENES, ON_OFF, LEVEL, OTA, LIGHTLINK),
        ),
    ),
    # Hue motion sensor SML001: ZLL on/off sensor on 1, the sensors on 2.
    DeviceKind.MOTION_SENSOR: (
        EndpointLayout(
            1,
            ZLL,
            zll.DeviceType.ON_OFF_SENSOR,
            (BASIC,),
            (BASIC, IDENTIFY, GROUPS, ON_OFF, LEVEL, SCENES, COLOR),
        ),
        EndpointLayout(
            2,
            HA,
            zha.DeviceType.OCCUPANCY_SENSOR,
            (BASIC, POWER, IDENTIFY, ILLUMINANCE, TEMPERATURE, OCCUPANCY),
            (OTA,),
        ),
    ),
    # A plain ZHA temperature/humidity sensor (Sonoff SNZB-02 style).
    DeviceKind.TEMPERATURE_HUMIDITY: (
        EndpointLayout(
            1,
            HA,
            zha.DeviceType.TEMPERATURE_SENSOR,
            (BASIC, POWER, IDENTIFY, TEMPERATURE, HUMIDITY),
            (IDENTIFY, OTA),
        ),
    ),
    # Door/window contact: IAS zone, zone type contact switch (0x0015).
    DeviceKind.DOOR_CONTACT: (
        EndpointLayout(
            1,
            HA,
            zha.DeviceType.IAS_ZONE,
            (BASIC, POWER, IDENTIFY, IAS_ZONE),
            (IDENTIFY, OTA),
        ),
    ),
}
