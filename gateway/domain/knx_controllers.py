"""The Thinknx controllers as data: what each one accepts, which devices have it, its DPTs.

Why a table of our own: the Integration Kit names controllers by what a person does
("power", "tempmode", "hvacfan") and gives each a value range (0/1, 0..100 %, enumerations
0..3 or 0..4, decimal setpoints). The catalogue says which group addresses and DPT carry a
controller on a given installation; this table says what the API may accept for it and which
DPTs make sense, so a catalogue with a setpoint on DPT 1 is refused at load time and a
``cmd=7`` for a fan never reaches the bus. Nothing here imports xknx or Starlette: the HTTP
layer reads the table to parse requests, the device service to send telegrams.

Enumerations travel as one byte. With DPT 5.010 the Thinknx number is the byte itself (the
default; what the emulator and many gateways use). With DPT 20.102 (HVAC mode, for
``tempmode``) and DPT 20.105 (HVAC control mode, for ``hvacmode``) the numbers are mapped to
the KNX enumeration, both ways, by :data:`ENUM_MAPS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


class ThinknxError(Exception):
    """Base of the errors the Thinknx domain raises; the API maps each to its answer."""


class DeviceNotFound(ThinknxError):
    """No device with this GUID offers this controller (HTTP 404 "device not found")."""


class ParamsError(ThinknxError, ValueError):
    """The request's values cannot be used (HTTP 400 "params errors"); nothing was sent."""


class NotExecutable(ThinknxError):
    """The bus cannot do it now: link down, send not confirmed, no feedback in time, no
    answer to a read, or the device is not configured for it ("impossible to execute")."""


DEVICE_TYPES: Final = ("light", "blind", "value", "thermostat", "hvac", "scene", "button")


@dataclass(frozen=True)
class ControllerSpec:
    """One Thinknx controller.

    ``settable``: it has a set endpoint (``power``); ``readable``: it has a status endpoint
    (``powerstatus``). ``integer``: the value must be a whole number. ``minimum``/``maximum``
    are the Thinknx range; None means the DPT's own range (setpoints, analog values).
    ``dpts``: the DPTs a catalogue may choose; an entry without a sub-number ("9") admits
    every sub-type of that main number. ``value_optional``: the request may omit the value
    (``trigger``).
    """

    name: str
    device_type: str
    summary: str
    settable: bool
    readable: bool
    feedback: bool
    integer: bool
    minimum: float | None
    maximum: float | None
    default_dpt: str
    dpts: tuple[str, ...]
    value_optional: bool = False

    def allows_dpt(self, dpt: str) -> bool:
        """True when ``dpt`` (canonical, see :func:`canonical_dpt`) suits this controller."""
        main = dpt.split(".", 1)[0]
        return dpt in self.dpts or main in self.dpts


_ONE_BIT = ("1",)
_PERCENT = ("5.001",)
_TEMPERATURE = ("9", "14")

CONTROLLERS: Final[Mapping[str, ControllerSpec]] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            ControllerSpec("power", "light", "Switch on (1) or off (0)",
                           True, True, True, True, 0, 1, "1.001", _ONE_BIT),
            ControllerSpec("powerlevel", "light", "Dimming level in percent (0..100)",
                           True, True, True, False, 0, 100, "5.001", _PERCENT),
            ControllerSpec("updown", "blind", "Move up (0) or down (1)",
                           True, False, False, True, 0, 1, "1.008", _ONE_BIT),
            ControllerSpec("stop", "blind", "Stop the movement (cmd=1)",
                           True, False, False, True, 1, 1, "1.017", _ONE_BIT),
            ControllerSpec("heightlevel", "blind", "Height/position in percent (0..100)",
                           True, True, True, False, 0, 100, "5.001", _PERCENT),
            ControllerSpec("blindstep", "blind",
                           "Step the lamellas clockwise (0) or counter-clockwise (1)",
                           True, False, False, True, 0, 1, "1.007", _ONE_BIT),
            ControllerSpec("blindangle", "blind", "Lamella angle in percent (0..100)",
                           True, True, True, False, 0, 100, "5.001", _PERCENT),
            ControllerSpec("value", "value", "Analog value (decimal with '.')",
                           True, True, True, False, None, None, "9.001",
                           ("1", "5", "6", "9", "14")),
            ControllerSpec("actualtemp", "thermostat", "Measured temperature",
                           False, True, False, False, None, None, "9.001", _TEMPERATURE),
            ControllerSpec("setpoint", "thermostat", "Setpoint temperature (decimal with '.')",
                           True, True, True, False, None, None, "9.001", _TEMPERATURE),
            ControllerSpec("tempmode", "thermostat",
                           "Mode: 0 standby, 1 comfort, 2 night/economy, 3 frost/heat protection",
                           True, True, True, True, 0, 3, "5.010", ("5.010", "20.102")),
            ControllerSpec("chronoen", "thermostat", "Chrono scheduling off (0) or on (1)",
                           True, True, True, True, 0, 1, "1.003", _ONE_BIT),
            ControllerSpec("hvacpower", "hvac", "Switch on (1) or off (0)",
                           True, True, True, True, 0, 1, "1.001", _ONE_BIT),
            ControllerSpec("hvacsetpoint", "hvac", "Setpoint temperature (decimal with '.')",
                           True, True, True, False, None, None, "9.001", _TEMPERATURE),
            ControllerSpec("hvacmode", "hvac", "Mode: 0 cooling, 1 heating, 2 dry, 3 fan, 4 auto",
                           True, True, True, True, 0, 4, "5.010", ("5.010", "20.105")),
            ControllerSpec("hvacfan", "hvac", "Fan speed: 0 auto, 1 minimum, 2 average, 3 maximum",
                           True, True, True, True, 0, 3, "5.010", ("5.010",)),
            ControllerSpec("scenelaunch", "scene", "Launch (1) or stop (0) the scene",
                           True, False, False, True, 0, 1, "17.001", ("17.001", "18.001")),
            ControllerSpec("trigger", "button", "Trigger the button (optional cmd: the bit sent)",
                           True, False, False, True, 0, 1, "1.017", _ONE_BIT,
                           value_optional=True),
        )
    }
)  # fmt: skip
"""Every controller by its catalogue name."""

ENUM_MAPS: Final[Mapping[tuple[str, str], Mapping[int, int]]] = MappingProxyType(
    {
        # Thinknx tempmode -> DPT 20.102 HVACMode (1 comfort, 2 standby, 3 economy,
        # 4 building protection); 0 "auto" has no Thinknx number.
        ("tempmode", "20.102"): MappingProxyType({0: 2, 1: 1, 2: 3, 3: 4}),
        # Thinknx hvacmode -> DPT 20.105 HVACContrMode (0 auto, 1 heat, 3 cool,
        # 9 fan only, 14 dehumidification).
        ("hvacmode", "20.105"): MappingProxyType({0: 3, 1: 1, 2: 14, 3: 9, 4: 0}),
    }
)
"""Thinknx number -> KNX byte for enumerations whose DPT numbers them differently."""

RAW_BYTE_DPTS: Final = ("5.010", "17.001", "18.001", "20.102", "20.105")
"""DPTs sent as one plain byte (DPT 5 on the wire); the mapping above gives its value."""

_DPT_RE: Final = re.compile(r"^(?:DPT[-_ ]?|DPST-)?(\d{1,3})(?:[.-](\d{1,3}))?$", re.IGNORECASE)


def canonical_dpt(text: str) -> str | None:
    """``"9"``, ``"9.1"``, ``"DPT9.001"``, ``"DPST-9-1"`` -> ``"9"``, ``"9.001"``; else None."""
    match = _DPT_RE.match(text.strip())
    if match is None:
        return None
    main, sub = int(match.group(1)), match.group(2)
    return str(main) if sub is None else f"{main}.{int(sub):03d}"


def wire_dpt(dpt: str) -> str:
    """The DPT ``gateway.knx.dpt`` encodes for a catalogue DPT (enumerations are bytes)."""
    return "5" if dpt in RAW_BYTE_DPTS else dpt


def to_bus(controller: str, dpt: str, value: int) -> int:
    """The KNX number for a Thinknx enumeration value (identity unless mapped)."""
    mapping = ENUM_MAPS.get((controller, dpt))
    if mapping is None:
        return value
    return mapping[value]


def from_bus(controller: str, dpt: str, raw: int) -> int | None:
    """The Thinknx number for a KNX enumeration byte; None when Thinknx has no number for it."""
    mapping = ENUM_MAPS.get((controller, dpt))
    if mapping is None:
        return raw
    for thinknx, knx in mapping.items():
        if knx == raw:
            return thinknx
    return None
