"""The sensors domain's vocabulary: a sensor in memory, what the radio found and reports,
and the port the radio side implements.

Why apart from the service: the API handlers, the Zigbee side and the service all speak
these types; a small module lets each import them without the service's plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.domain.sensors.types import TYPES, SensorType
from gateway.store.sensors_repo import StoredSensor


class SensorNotFound(Exception):
    """No sensor with this id (answered as 404, error 3)."""


def sensor_uniqueid(ieee: str, endpoint: int, cluster: int) -> str:
    """``AA:BB:CC:DD:EE:FF:00:11-02-0406``: one device, several sensors (deCONZ's scheme)."""
    return f"{ieee.upper()}-{endpoint:02X}-{cluster:04X}"


@dataclass(frozen=True)
class DiscoveredSensor:
    """One sensor of an interviewed device, as the radio side classified it."""

    ieee: str
    endpoint: int
    cluster: int
    type: str
    manufacturer: str
    model: str
    swversion: str
    state: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def uniqueid(self) -> str:
        return sensor_uniqueid(self.ieee, self.endpoint, self.cluster)


@dataclass(frozen=True)
class SensorReading:
    """What a frame from a device says about one of its sensors.

    ``event`` marks readings that are events (a button press): they are published even
    when the value equals the last one, because pressing the same button twice is two
    presses. Config changes (battery) come the same way.
    """

    uniqueid: str
    state: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    event: bool = False


class SensorRadio(Protocol):
    """What the service needs from the radio (``gateway.zigbee.sensors`` implements it)."""

    def configure(self, sensor: Sensor, changes: dict[str, Any]) -> None:
        """Queue device attribute writes for changed config (``duration``, ``sensitivity``).

        Sleepy devices are never woken or polled: the writes go out when the device is
        next heard from (it is awake then), as deCONZ does.
        """
        ...


@dataclass
class Sensor:
    """One sensor as the service keeps it in memory (the store has the same)."""

    id: int
    uniqueid: str
    type: str
    name: str
    manufacturer: str
    model: str
    swversion: str
    state: dict[str, Any]
    config: dict[str, Any]
    ieee: str | None = None
    endpoint: int | None = None
    cluster: int | None = None

    @property
    def rid(self) -> str:
        return str(self.id)

    @property
    def kind(self) -> SensorType:
        return TYPES[self.type]

    @property
    def is_clip(self) -> bool:
        return self.ieee is None

    @classmethod
    def from_stored(cls, row: StoredSensor) -> Sensor:
        state = TYPES[row.type].initial_state() if row.type in TYPES else {}
        state.update(row.state)
        return cls(
            id=row.id,
            uniqueid=row.uniqueid,
            type=row.type,
            name=row.name,
            manufacturer=row.manufacturername,
            model=row.modelid,
            swversion=row.swversion,
            state=state,
            config=dict(row.config),
            ieee=row.ieee,
            endpoint=row.endpoint,
            cluster=row.cluster,
        )

    def attributes(self) -> dict[str, Any]:
        """Everything but state and config (the top level of the sensor object)."""
        attrs: dict[str, Any] = {
            "manufacturername": self.manufacturer,
            "modelid": self.model,
            "name": self.name,
            "swversion": self.swversion,
            "type": self.type,
            "uniqueid": self.uniqueid,
        }
        if self.endpoint is not None:
            attrs["ep"] = self.endpoint
        return attrs
