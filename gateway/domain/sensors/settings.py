"""Which ``config`` parameters a client may set on a sensor, and their ranges.

Why a table per sensor and not per type: deCONZ offers ``duration`` and ``sensitivity``
only where the device has them, ``reachable`` and ``battery`` only on CLIP sensors (a
Zigbee sensor's come from the device itself), and the light thresholds only on light
level sensors. A parameter outside the table is error 6 (not available) or 8 (not
modifiable, when the sensor shows it but it comes from the device).
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.sensors.records import Sensor

# Parameters written to the device (the rest are kept by the gateway).
DEVICE_PARAMS = ("duration", "sensitivity")


@dataclass(frozen=True)
class ConfigParam:
    name: str
    kind: type  # bool or int
    lo: int = 0
    hi: int = 0


def writable_config(sensor: Sensor) -> dict[str, ConfigParam]:
    params = {"on": ConfigParam("on", bool)}
    if sensor.is_clip:
        params["reachable"] = ConfigParam("reachable", bool)
        params["battery"] = ConfigParam("battery", int, 0, 100)
    if "duration" in sensor.config:
        params["duration"] = ConfigParam("duration", int, 0, 65535)
    if "sensitivity" in sensor.config:
        top = int(sensor.config.get("sensitivitymax", 2))
        params["sensitivity"] = ConfigParam("sensitivity", int, 0, top)
    if sensor.type in ("ZHALightLevel", "CLIPLightLevel"):
        params["tholddark"] = ConfigParam("tholddark", int, 0, 0xFFFE)
        params["tholdoffset"] = ConfigParam("tholdoffset", int, 1, 0xFFFE)
    return params
