"""The sensors domain: switches, presence, light level, temperature, humidity, open/close,
and CLIP sensors, as deCONZ shows them.

- ``types``: the sensor types and the state fields each shows;
- ``buttons``: deCONZ's ``buttonevent`` numbers;
- ``records``: a sensor in memory, what the radio found and reports, the radio port;
- ``settings``: which config parameters a client may set on which sensor;
- ``rendering`` / ``publishing``: the API's sensor object and the websocket events;
- ``persistence``: coalesced writes of reported state;
- ``service``: :class:`SensorsService`.
"""

from __future__ import annotations

from gateway.domain.sensors.buttons import ButtonAction, button_event
from gateway.domain.sensors.records import (
    DiscoveredSensor,
    Sensor,
    SensorNotFound,
    SensorRadio,
    SensorReading,
    sensor_uniqueid,
)
from gateway.domain.sensors.service import SensorsService

__all__ = [
    "ButtonAction",
    "DiscoveredSensor",
    "Sensor",
    "SensorNotFound",
    "SensorRadio",
    "SensorReading",
    "SensorsService",
    "button_event",
    "sensor_uniqueid",
]
