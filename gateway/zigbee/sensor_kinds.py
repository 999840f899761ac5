"""Which sensors an interviewed device is, and what it must be told to report them.

Why a classifier of its own: deCONZ shows one device as several sensors, one per
endpoint and cluster that carries a reading (a Hue motion sensor: presence, light level
and temperature on endpoint 2). Each sensor found here comes with the bindings and the
reporting configuration that make the device send its readings unasked — sleepy end
devices are never polled, so this set-up at the interview is the only way to hear them.

Rules (docs/sensors.md):
- 0xFC00 (Philips) → ``ZHASwitch`` on that endpoint (the Hue dimmer's button cluster);
- a controller endpoint sending On/Off (IKEA remote and the like) → ``ZHASwitch`` under
  the LightLink cluster 0x1000 as deCONZ names it, bound for On/Off, Level and Scenes;
- 0x0406 → ``ZHAPresence``, 0x0400 → ``ZHALightLevel``, 0x0402 → ``ZHATemperature``,
  0x0405 → ``ZHAHumidity``; IAS Zone 0x0500 of type contact switch / door-window →
  ``ZHAOpenClose``, of type motion → ``ZHAPresence``;
- Power Configuration anywhere on the device → ``config.battery`` on each of its sensors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import zigpy.device
import zigpy.endpoint
from zigpy.profiles import zha, zll

from gateway.zigbee.sensor_frames import (
    HUE_BUTTONS,
    HUMIDITY,
    IAS_ZONE,
    ILLUMINANCE,
    LEVEL,
    LIGHTLINK,
    OCCUPANCY,
    ON_OFF,
    POWER,
    SCENES,
    TEMPERATURE,
)

# (cluster, attribute, min s, max s, reportable change)
Report = tuple[int, str, int, int, int]

MEASUREMENTS: dict[int, tuple[str, Report]] = {
    OCCUPANCY: ("ZHAPresence", (OCCUPANCY, "occupancy", 0, 300, 1)),
    ILLUMINANCE: ("ZHALightLevel", (ILLUMINANCE, "measured_value", 5, 300, 2000)),
    TEMPERATURE: ("ZHATemperature", (TEMPERATURE, "measured_value", 10, 300, 20)),
    HUMIDITY: ("ZHAHumidity", (HUMIDITY, "measured_value", 10, 300, 100)),
}
BATTERY_REPORT: Report = (POWER, "battery_percentage_remaining", 300, 43200, 2)
CONTACT_ZONES = {0x0015}  # contact switch (door/window)
MOTION_ZONES = {0x000D}
CONTROLLERS = {
    (zha.PROFILE_ID, zha.DeviceType.NON_COLOR_CONTROLLER),
    (zha.PROFILE_ID, zha.DeviceType.COLOR_CONTROLLER),
    (zha.PROFILE_ID, zha.DeviceType.REMOTE_CONTROL),
    (zll.PROFILE_ID, zll.DeviceType.CONTROLLER),
    (zll.PROFILE_ID, zll.DeviceType.COLOR_CONTROLLER),
}


@dataclass
class FoundSensor:
    """One sensor of the device and how to make it report."""

    endpoint: int
    cluster: int  # the cluster in the uniqueid
    type: str
    bind_in: tuple[int, ...] = ()  # server clusters of the device to bind to us
    bind_out: tuple[int, ...] = ()  # client clusters (a remote's commands)
    reports: tuple[Report, ...] = ()
    config: dict[str, object] = field(default_factory=dict)


def power_endpoint(device: zigpy.device.Device) -> zigpy.endpoint.Endpoint | None:
    for endpoint in device.non_zdo_endpoints:
        if POWER in endpoint.in_clusters:
            return endpoint
    return None


def classify(device: zigpy.device.Device, zone_types: dict[int, int]) -> list[FoundSensor]:
    """The sensors of a device; ``zone_types``: IAS zone type read per endpoint."""
    found: list[FoundSensor] = []
    has_hue_buttons = any(HUE_BUTTONS in ep.in_clusters for ep in device.non_zdo_endpoints)
    philips = (device.manufacturer or "").startswith(("Philips", "Signify"))
    for endpoint in device.non_zdo_endpoints:
        ep, clusters = endpoint.endpoint_id, endpoint.in_clusters
        if HUE_BUTTONS in clusters and philips:
            found.append(FoundSensor(ep, HUE_BUTTONS, "ZHASwitch", bind_in=(HUE_BUTTONS,)))
        key = (int(endpoint.profile_id or 0), int(endpoint.device_type or 0))
        if key in CONTROLLERS and ON_OFF in endpoint.out_clusters and not has_hue_buttons:
            out = tuple(c for c in (ON_OFF, LEVEL, SCENES) if c in endpoint.out_clusters)
            found.append(FoundSensor(ep, LIGHTLINK, "ZHASwitch", bind_out=out))
        for cluster, (sensor_type, report) in MEASUREMENTS.items():
            if cluster in clusters:
                sensor = FoundSensor(ep, cluster, sensor_type, (cluster,), reports=(report,))
                if cluster == OCCUPANCY and philips:
                    sensor.config.update(sensitivity=2, sensitivitymax=2)
                found.append(sensor)
        if IAS_ZONE in clusters:
            zone = zone_types.get(ep)
            if zone in CONTACT_ZONES or zone in MOTION_ZONES:
                sensor_type = "ZHAOpenClose" if zone in CONTACT_ZONES else "ZHAPresence"
                report = (IAS_ZONE, "zone_status", 0, 300, 1)
                found.append(FoundSensor(ep, IAS_ZONE, sensor_type, (IAS_ZONE,), (), (report,)))
    return found
