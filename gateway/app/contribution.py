"""What a field bus contributes to the running gateway.

Why a seam: the Zigbee and KNX sides are built, started and stopped by their own modules
(``gateway.app.zigbee_side``, ``gateway.app.knx_side``); the composition root
(``gateway.app.gateway``) only collects what they hand back, so each side can grow without
touching it, and neither side imports the root (no import circle).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.routing import ApiRoute
from gateway.domain.radio import ZigbeeNetwork

if TYPE_CHECKING:
    from gateway.domain.groups import GroupsService, ScenesService
    from gateway.domain.lights import LightsService
    from gateway.domain.sensors import SensorsService
    from gateway.knx.catalogue_service import CatalogueService
    from gateway.knx.link import KnxLink


class StartupError(RuntimeError):
    """The gateway cannot start; the message names the setting to look at."""


@dataclass
class Contribution:
    """The parts one side adds to the gateway."""

    # The radio port the configuration service drives (permitjoin, channel, reset).
    network: ZigbeeNetwork | None = None
    # deCONZ routes to serve besides the configuration routes (lights, touchlink, ...).
    deconz_routes: list[ApiRoute] = field(default_factory=list)
    # Called once the deCONZ services exist, to register sections (lights) and services.
    attach_deconz: Callable[[DeconzServices], None] | None = None
    # Extra HTTP servers: (name, ASGI app, host, port, setting name for errors).
    servers: list[tuple[str, Any, str, int, str]] = field(default_factory=list)
    # OpenAPI paths for APIs served on other ports (Thinknx).
    openapi_paths: Callable[[], dict[str, Any]] | None = None
    # Health for the watchdog and a short status for systemd.
    healthy: Callable[[], bool] = lambda: True
    status: Callable[[], str] = lambda: ""
    # Stopped in reverse order of start.
    stop: Callable[[], Awaitable[None]] | None = None
    # What the bindings (gateway.app.bindings_side) need from the two sides.
    lights: LightsService | None = None
    groups: GroupsService | None = None
    scenes: ScenesService | None = None
    sensors: SensorsService | None = None
    knx_link: KnxLink | None = None
    catalogues: CatalogueService | None = None
