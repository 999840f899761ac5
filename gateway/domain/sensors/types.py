"""The sensor types this gateway serves, with the state and configuration each one shows.

Why a table: ``GET /sensors/<id>`` must show exactly the fields deCONZ shows for a type
(pydeconz and Home Assistant pick their entity class by ``type`` and read these keys), and
``PUT .../state`` on a CLIP sensor may set only the fields of its type. One table keeps the
API, the radio side and the store in agreement.

Units are deCONZ's: temperature in 0.01 °C, humidity in 0.01 %, lightlevel as ZCL
(10000·log10(lux)+1), lux in lux, battery in percent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LASTUPDATED_NONE = "none"  # deCONZ shows "none" until the first update


@dataclass(frozen=True)
class StateField:
    """One state field: its default and, for CLIP sensors, the accepted range."""

    name: str
    default: Any
    kind: type  # bool or int
    lo: int = 0
    hi: int = 0


@dataclass(frozen=True)
class SensorType:
    name: str
    state: tuple[StateField, ...]
    clip: bool = False

    def initial_state(self) -> dict[str, Any]:
        state = {f.name: f.default for f in self.state}
        state["lastupdated"] = LASTUPDATED_NONE
        return state

    def field(self, name: str) -> StateField | None:
        return next((f for f in self.state if f.name == name), None)


I16 = (-32768, 32767)

_BUTTON = (StateField("buttonevent", None, int, 0, 99_999),)
_PRESENCE = (StateField("presence", False, bool),)
_TEMPERATURE = (StateField("temperature", 0, int, *I16),)
_HUMIDITY = (StateField("humidity", 0, int, 0, 10000),)
_OPEN = (StateField("open", False, bool),)
_LIGHT = (
    StateField("lightlevel", 0, int, 0, 0xFFFF),
    StateField("lux", 0, int, 0, 0xFFFFFF),
    StateField("dark", True, bool),
    StateField("daylight", False, bool),
)

TYPES: dict[str, SensorType] = {
    t.name: t
    for t in (
        SensorType("ZHASwitch", _BUTTON),
        SensorType("ZHAPresence", _PRESENCE),
        SensorType("ZHATemperature", _TEMPERATURE),
        SensorType("ZHAHumidity", _HUMIDITY),
        SensorType("ZHALightLevel", _LIGHT),
        SensorType("ZHAOpenClose", _OPEN),
        SensorType("CLIPGenericFlag", (StateField("flag", False, bool),), clip=True),
        SensorType("CLIPGenericStatus", (StateField("status", 0, int, -(2**31), 2**31 - 1),), True),
        SensorType("CLIPSwitch", _BUTTON, clip=True),
        SensorType("CLIPPresence", _PRESENCE, clip=True),
        SensorType("CLIPTemperature", _TEMPERATURE, clip=True),
        SensorType("CLIPHumidity", _HUMIDITY, clip=True),
        SensorType("CLIPOpenClose", _OPEN, clip=True),
        SensorType("CLIPLightLevel", _LIGHT, clip=True),
    )
}

CLIP_TYPES = tuple(name for name, t in TYPES.items() if t.clip)

# ZHALightLevel thresholds (deCONZ defaults): dark below tholddark, daylight above
# tholddark + tholdoffset.
THOLD_DARK, THOLD_OFFSET = 12000, 7000


def light_flags(lightlevel: int, config: dict[str, Any]) -> dict[str, Any]:
    """``lux``, ``dark`` and ``daylight`` that go with a light level, as deCONZ derives them."""
    dark = int(config.get("tholddark", THOLD_DARK))
    offset = int(config.get("tholdoffset", THOLD_OFFSET))
    lux = 0 if lightlevel <= 0 else round(10 ** ((lightlevel - 1) / 10000))
    return {
        "lightlevel": lightlevel,
        "lux": lux,
        "dark": lightlevel <= dark,
        "daylight": lightlevel >= dark + offset,
    }
