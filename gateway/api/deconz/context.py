"""The services the deCONZ API calls, gathered once by the composition root.

Why typed fields instead of a lookup table: a handler reaches ``services.lights`` and the
type checker knows what it gets; a service the gateway was built without is ``None`` and
the handler answers as deCONZ would (an empty collection, or 503 for the radio).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.api.guessing import GuessThrottle
from gateway.domain.apikeys import ApiKeyService
from gateway.domain.backup import BackupPort
from gateway.domain.bindings.service import BindingsService
from gateway.domain.config import GatewayConfigService
from gateway.domain.events import EventBus
from gateway.domain.groups import GroupsService, ScenesService
from gateway.domain.knx_monitor import KnxStatusSource
from gateway.domain.lights import LightsService
from gateway.domain.sensors import SensorsService
from gateway.domain.touchlink import TouchlinkService

# A section of the full state (``GET /api/<key>``): lights, groups, sensors, ...
StateSection = Callable[[], Awaitable[dict[str, Any]]]

FULL_STATE_SECTIONS = ("groups", "lights", "sensors", "scenes", "schedules", "rules")


async def _empty() -> dict[str, Any]:
    return {}


@dataclass
class DeconzServices:
    config: GatewayConfigService
    api_keys: ApiKeyService
    events: EventBus
    websocket_port: int
    allow_local_apikey: bool = False
    version: str = "0.0.0"
    lights: LightsService | None = None
    touchlink: TouchlinkService | None = None
    backup: BackupPort | None = None
    knx_feed: KnxStatusSource | None = None
    bindings: BindingsService | None = None
    groups: GroupsService | None = None
    scenes: ScenesService | None = None
    sensors: SensorsService | None = None
    guesses: GuessThrottle = field(default_factory=lambda: GuessThrottle("deconz"))

    def sections(self) -> dict[str, StateSection]:
        """The collections of the full state, each answered by the service that owns it."""
        sections: dict[str, StateSection] = dict.fromkeys(FULL_STATE_SECTIONS, _empty)
        if self.lights is not None:
            sections["lights"] = self.lights.section
        if self.sensors is not None:
            sections["sensors"] = self.sensors.section
        if self.groups is not None:
            sections["groups"] = self.groups.section
        if self.scenes is not None:
            sections["scenes"] = self.scenes.section  # Hue v1: aiohue reads scenes here
        return sections
