"""What a light is, independent of the radio: its type, capabilities, state and commands.

Why a module shared by the domain service and the radio side: ``gateway.domain.lights`` decides
*what* to do (which state fields a light shows, which commands a request becomes) and
``gateway.zigbee`` decides *how* (ZCL frames). Both speak the plain types below, so the
radio side never imports the service and the service never imports zigpy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class LightType(StrEnum):
    """The ``type`` strings deCONZ shows (``de_web_plugin``'s device-id table)."""

    ON_OFF_PLUG = "On/Off plug-in unit"
    ON_OFF_LIGHT = "On/Off light"
    DIMMABLE_PLUG = "Dimmable plug-in unit"
    DIMMABLE = "Dimmable light"
    COLOR_TEMPERATURE = "Color temperature light"
    COLOR = "Color light"
    EXTENDED_COLOR = "Extended color light"


@dataclass(frozen=True)
class LightAddress:
    """One Zigbee endpoint: the radio-side identity of a light."""

    ieee: str  # "00:17:88:01:0e:00:00:01", lower case as zigpy prints it
    endpoint: int

    @property
    def uniqueid(self) -> str:
        """``AA:BB:CC:DD:EE:FF:00:11-0B``: IEEE, dash, endpoint in hex (spec and DESIGN)."""
        return f"{self.ieee.upper()}-{self.endpoint:02X}"


@dataclass(frozen=True)
class Capabilities:
    """What the light can do, learned from its clusters and Color Capabilities attribute.

    Stored as JSON with the light; an older row missing a key reads the default.
    """

    level: bool = False
    hue_sat: bool = False
    enhanced_hue: bool = False
    xy: bool = False
    ct: bool = False
    colorloop: bool = False
    identify: bool = False
    ct_min: int | None = None
    ct_max: int | None = None
    color_capabilities: int = 0  # the ZCL bitmap, shown as ``colorcapabilities``

    @property
    def has_color(self) -> bool:
        return self.hue_sat or self.xy or self.ct

    @property
    def has_effect(self) -> bool:
        """deCONZ shows ``effect`` on every light that dims or has colour."""
        return self.level or self.has_color

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Capabilities:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


# Colour modes and their priority when one request sets several (Hue: xy > ct > hs).
COLORMODE_PRIORITY = ("xy", "ct", "hs")


def initial_state(caps: Capabilities) -> dict[str, Any]:
    """The state a light starts with before the first read or report fills it in."""
    state: dict[str, Any] = {"on": False, "alert": "none", "reachable": True}
    if caps.level:
        state["bri"] = 254
    if caps.has_effect:
        state["effect"] = "none"
    if caps.hue_sat:
        state["hue"] = 0
        state["sat"] = 0
    if caps.ct:
        state["ct"] = caps.ct_min or 153
    if caps.xy:
        state["xy"] = [0.3127, 0.329]
    if caps.has_color:
        state["colormode"] = "ct" if caps.ct else ("xy" if caps.xy else "hs")
    return state


def supported_state_fields(caps: Capabilities) -> frozenset[str]:
    """The ``state`` keys the API shows for a light with these capabilities."""
    return frozenset(initial_state(caps))


@dataclass(frozen=True)
class DiscoveredLight:
    """What the radio learned when a device joined or was interviewed again."""

    address: LightAddress
    type: LightType
    manufacturer: str
    model: str
    swversion: str
    capabilities: Capabilities
    state: dict[str, Any] = field(default_factory=dict)  # values read from the device


# -- commands the domain asks the radio to carry out -----------------------------------------
# Units are the API's (bri 0..255, hue 0..65535, xy floats, mired, 1/10 s); the radio side
# converts to ZCL with gateway.domain.lights.colors.


@dataclass(frozen=True)
class TurnOn:
    pass


@dataclass(frozen=True)
class TurnOff:
    pass


@dataclass(frozen=True)
class TurnOnAtLevel:
    """Level Control ``move_to_level_with_on_off``: on and at ``bri`` in one frame."""

    bri: int
    transition: int | None = None


@dataclass(frozen=True)
class SetLevel:
    bri: int
    transition: int | None = None


@dataclass(frozen=True)
class MoveLevel:
    """Start changing the level at ``rate`` bri units per second, as a KNX dimmer does
    while its rocker is held (DPT 3.007, step code 1). Moving up switches the light on;
    moving down stops at the lowest level without switching off, as KNX dimmers do."""

    up: bool
    rate: int


@dataclass(frozen=True)
class StepLevel:
    """Change the level by ``step`` bri units (a KNX relative dimming step 2..7)."""

    up: bool
    step: int
    transition: int | None = None


@dataclass(frozen=True)
class StopLevel:
    """Stop a level change in progress (DPT 3.007 step code 0: the rocker was released)."""


@dataclass(frozen=True)
class SetHueSat:
    """Either or both of hue and saturation."""

    hue: int | None
    sat: int | None
    transition: int | None = None


@dataclass(frozen=True)
class SetColorTemp:
    ct: int
    transition: int | None = None


@dataclass(frozen=True)
class SetXY:
    x: float
    y: float
    transition: int | None = None


@dataclass(frozen=True)
class SetColorLoop:
    active: bool
    speed: int = 15


@dataclass(frozen=True)
class Identify:
    """Identify for ``seconds`` (0 stops an identification in progress)."""

    seconds: int


LightCommand = (
    TurnOn
    | TurnOff
    | TurnOnAtLevel
    | SetLevel
    | MoveLevel
    | StepLevel
    | StopLevel
    | SetHueSat
    | SetColorTemp
    | SetXY
    | SetColorLoop
    | Identify
)


class LightUnreachable(Exception):
    """The light did not acknowledge (APS/MAC failure or no answer): it is unreachable."""


class LightRefused(Exception):
    """The command was refused (e.g. the radio would not queue it); ``status`` says why."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status
