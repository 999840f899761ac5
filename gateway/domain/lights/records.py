"""The lights domain's vocabulary: a light as kept in memory, a state request and its outcome.

Why apart from the service: the API handlers, the radio bridge and the service all speak
these types; keeping them in a small module lets each import what it needs without pulling
in the service's persistence and event plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from gateway.domain.lights.model import (
    Capabilities,
    LightAddress,
    LightCommand,
    initial_state,
)
from gateway.store.lights_repo import StoredLight

ALERT_SECONDS = {"none": 0, "select": 2, "lselect": 15}  # Hue lights ignore 1 s
# Fields a light that is off refuses (Hue 1.6.6); on, alert and transitiontime are fine.
REFUSED_WHEN_OFF = ("bri", "hue", "sat", "ct", "xy", "effect")
DEFAULT_COLORLOOP_SPEED = 15
# Parameters that carry out something on the light, in the order they may appear.
COMMAND_PARAMS = ("on", "bri", "hue", "sat", "ct", "xy", "alert", "effect")


class LightNotFound(Exception):
    """No light with this id (answered as 404, error 3)."""


class Outcome(StrEnum):
    """What became of one parameter of a ``PUT .../state``."""

    OK = "ok"
    DEVICE_OFF = "device_off"  # 201
    NOT_REACHABLE = "not_reachable"  # 202
    REFUSED = "refused"  # 901
    RADIO_DOWN = "radio_down"  # 950
    RADIO_BUSY = "radio_busy"  # 951


@dataclass(frozen=True)
class ParamResult:
    name: str
    value: Any
    outcome: Outcome = Outcome.OK
    detail: str = ""


@dataclass(frozen=True)
class StateRequest:
    """A validated ``PUT .../state`` body: command parameters in request order."""

    params: tuple[tuple[str, Any], ...]
    transition: int | None = None
    colorloopspeed: int | None = None


class LightTransport(Protocol):
    """What the service needs from the radio (``gateway.zigbee.bridge`` implements it)."""

    @property
    def radio_up(self) -> bool: ...

    def check_ready(self) -> None:
        """Raise RadioUnavailable or RadioBusy if commands cannot go out now."""
        ...

    async def send(self, address: LightAddress, caps: Capabilities, command: LightCommand) -> None:
        """Carry out one command; LightUnreachable / LightRefused / Radio* on failure."""
        ...

    async def leave(self, address: LightAddress) -> None:
        """Ask the device to leave the network (ZDO Mgmt_Leave_req)."""
        ...


@dataclass
class Light:
    """One light as the service keeps it in memory (the store has the same)."""

    id: int
    address: LightAddress
    name: str
    type: str
    manufacturer: str
    model: str
    swversion: str
    caps: Capabilities
    # The device's state; "reachable" here is the device's own flag (APS acks/messages).
    state: dict[str, Any]

    @property
    def rid(self) -> str:
        return str(self.id)

    @classmethod
    def from_stored(cls, row: StoredLight) -> Light:
        caps = Capabilities.from_json(row.capabilities)
        state = initial_state(caps)
        state.update({k: v for k, v in row.state.items() if k in state})
        return cls(
            id=row.id,
            address=LightAddress(row.ieee, row.endpoint),
            name=row.name,
            type=row.type,
            manufacturer=row.manufacturername,
            model=row.modelid,
            swversion=row.swversion,
            caps=caps,
            state=state,
        )

    def attributes(self) -> dict[str, Any]:
        """The ``attr`` object deCONZ sends in websocket events."""
        return {
            "id": self.rid,
            "manufacturername": self.manufacturer,
            "modelid": self.model,
            "name": self.name,
            "swversion": self.swversion,
            "type": self.type,
            "uniqueid": self.address.uniqueid,
        }


@dataclass(frozen=True)
class Step:
    command: LightCommand
    names: tuple[str, ...]
    applied: dict[str, Any]
