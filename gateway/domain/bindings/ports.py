"""The ports the binding engine needs: one KNX bus and the Zigbee things it drives.

Why Protocols here: the engine is where the two buses meet, and neither bus may import the
other. ``gateway.knx.bindings_port`` implements :class:`KnxBus` over ``KnxLink``; the
Zigbee side is reached through the domain services (lights, groups, scenes, sensors), each
behind a small port so a service that does not exist yet (or in a unit test) is replaced by
another implementation without touching the engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from gateway.domain.lights.model import MoveLevel, StepLevel, StopLevel

LevelCommand = MoveLevel | StepLevel | StopLevel
TelegramKind = Literal["write", "response", "read"]


@dataclass(frozen=True)
class Telegram:
    """A group telegram as the engine sees it; ``payload`` is opaque (``KnxBus.decode``)."""

    group_address: str
    kind: TelegramKind
    payload: object
    own: bool


class KnxBus(Protocol):
    """The KNX link as the bindings use it."""

    @property
    def connected(self) -> bool: ...

    def canonical(self, group_address: str) -> str:
        """ "1/0/1" for any spelling of a group address; ValueError when it is not one."""
        ...

    def telegrams(self) -> AsyncIterator[Telegram]:
        """Every group telegram on the bus (ours with ``own``), until cancelled."""
        ...

    def decode(self, dpt: str, payload: object) -> int | float:
        """The number a payload carries; ValueError for a payload of another DPT."""
        ...

    async def write(self, group_address: str, dpt: str, value: int | float) -> None:
        """GroupValueWrite; raises when the link is down or the send is not confirmed."""
        ...

    async def respond(self, group_address: str, dpt: str, value: int | float) -> None:
        """GroupValueResponse (an answer to a GroupValueRead)."""
        ...


ReportListener = Callable[[str, dict[str, Any]], None]
"""(light id, reported state fields in API units) — called for the lamp's own reports."""


class LightTarget(Protocol):
    """Single lights (``gateway.domain.bindings.lights_target`` over ``LightsService``)."""

    @property
    def radio_up(self) -> bool: ...

    def exists(self, light_id: str) -> bool: ...

    def reachable(self, light_id: str) -> bool: ...

    def reported(self, light_id: str) -> dict[str, Any] | None:
        """The lamp's state as it last reported it (None for an unknown light)."""
        ...

    def add_report_listener(self, listener: ReportListener) -> None: ...

    async def apply(self, light_id: str, params: dict[str, Any]) -> None:
        """Carry out state parameters as ``PUT /lights/<id>/state`` does; raises on failure."""
        ...

    async def level(self, light_id: str, command: LevelCommand) -> None: ...


class GroupTarget(Protocol):
    """Zigbee groups (one groupcast reaches every member)."""

    def exists(self, group_id: str) -> bool: ...

    def members(self, group_id: str) -> list[str]:
        """Light ids of the group's members."""
        ...

    def group_of(self, light_ids: frozenset[str]) -> str | None:
        """A group whose members are exactly these lights (to send one groupcast)."""
        ...

    async def apply(self, group_id: str, params: dict[str, Any]) -> None: ...

    async def level(self, group_id: str, command: LevelCommand) -> None: ...


class SceneRecaller(Protocol):
    """Zigbee scenes of a group."""

    async def recall(self, group_id: str, scene_id: str) -> None: ...

    async def store(self, group_id: str, scene_id: str) -> None: ...


SensorListener = Callable[[str, dict[str, Any]], None]
"""(sensor id, changed ``state`` fields as deCONZ shows them: presence, buttonevent, ...)."""


class SensorSource(Protocol):
    """Zigbee sensors and switches as event sources."""

    def reachable(self, sensor_id: str) -> bool: ...

    def state(self, sensor_id: str) -> dict[str, Any] | None: ...

    def add_listener(self, listener: SensorListener) -> None: ...
