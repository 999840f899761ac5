"""The services the deCONZ API calls, gathered once by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.apikeys import ApiKeyService
from gateway.config import GatewayConfigService
from gateway.events import EventBus

# A section of the full state (``GET /api/<key>``): lights, groups, sensors, ...
StateSection = Callable[[], Awaitable[dict[str, Any]]]


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
    # Resource collections for the full state; the lights service replaces "lights".
    sections: dict[str, StateSection] = field(
        default_factory=lambda: {
            name: _empty for name in ("groups", "lights", "sensors", "schedules", "rules")
        }
    )
    # Other domain services (lights, touchlink) hang here as they arrive.
    extra: dict[str, Any] = field(default_factory=dict)
