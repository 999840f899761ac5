"""The KNX <-> Zigbee bindings assembled: engine, service, catalogue reload, API routes.

Why a side of its own: the bindings need both buses, so they start after both (the
composition root calls :func:`start_bindings` with what the Zigbee and KNX sides handed
back) and stop before them. With no KNX link (``knx.mode = none``) there are no bindings
and the resource answers error 3, as the KNX extension does.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from gateway.api.deconz.bindings import BINDING_ROUTES
from gateway.api.deconz.context import DeconzServices
from gateway.app.contribution import Contribution, StartupError
from gateway.domain.bindings.engine import BindingEngine
from gateway.domain.bindings.groups_target import ServiceGroups
from gateway.domain.bindings.lights_target import ServiceLights
from gateway.domain.bindings.sensors_source import EventBusSensors
from gateway.domain.bindings.service import BindingsService
from gateway.domain.events import EventBus
from gateway.domain.groups import GroupsService, ScenesService
from gateway.domain.lights import LightsService
from gateway.domain.sensors import SensorsService
from gateway.knx.bindings_file import canonical_group_address, load_bindings
from gateway.knx.bindings_port import LinkBus
from gateway.knx.catalogue import Catalogue, CatalogueError
from gateway.knx.catalogue_service import CatalogueService
from gateway.knx.link import KnxLink
from gateway.store import Store

log = logging.getLogger(__name__)


class BindingsSide:
    """Owns the engine and the bindings service; the tests build exactly this."""

    def __init__(
        self,
        store: Store,
        events: EventBus,
        link: KnxLink,
        lights: LightsService | None,
        *,
        groups: GroupsService | None = None,
        scenes: ScenesService | None = None,
        sensors: SensorsService | None = None,
        settle: float = 2.0,
        poll_interval: float = 0.2,
    ) -> None:
        self.sensors = EventBusSensors(events, sensors)
        self.lights = ServiceLights(lights) if lights is not None else None
        self.groups = (
            ServiceGroups(groups, scenes) if groups is not None and scenes is not None else None
        )
        self.engine = BindingEngine(
            LinkBus(link),
            lights=self.lights,
            groups=self.groups,
            scenes=self.groups,
            sensors=self.sensors,
            settle=settle,
            poll_interval=poll_interval,
        )
        self.service = BindingsService(
            store.bindings, self.engine, canonical_group_address, target_known=self._known
        )
        self._path: Path | None = None
        self._reloads: set[asyncio.Task[None]] = set()

    def _known(self, kind: str, ident: str) -> bool:
        if kind == "light":
            return self.lights is not None and self.lights.exists(ident)
        if kind == "group":
            return self.groups is not None and self.groups.exists(ident)
        return kind == "sensor" and self.sensors.exists(ident)

    async def start(self, catalogues: CatalogueService | None) -> None:
        await self.service.load()
        if catalogues is not None and catalogues.path is not None:
            self._path = catalogues.path
            try:
                self.service.set_catalogue(await asyncio.to_thread(load_bindings, self._path))
            except CatalogueError as exc:
                raise StartupError(f"thinknx.devices_file: bindings: {exc}") from None
            catalogues.add_listener(self._catalogue_changed)
        self.sensors.start()
        self.engine.start()
        log.info("event=bindings_started count=%d", len(self.service.all()))

    def _catalogue_changed(self, _catalogue: Catalogue) -> None:
        task = asyncio.create_task(self._reload(), name="bindings-reload")
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def _reload(self) -> None:
        if self._path is None:
            return
        try:
            bindings = await asyncio.to_thread(load_bindings, self._path)
        except CatalogueError as exc:
            log.error("event=bindings_catalogue_rejected keeping the bindings in service: %s", exc)
            return
        self.service.set_catalogue(bindings)
        log.info("event=bindings_catalogue_reloaded count=%d", len(bindings))

    def attach(self, services: DeconzServices) -> None:
        services.bindings = self.service

    async def stop(self) -> None:
        for task in list(self._reloads):
            task.cancel()
        await self.engine.stop()
        await self.sensors.stop()

    def status(self) -> str:
        return f"{len(self.service.all())} bindings"


async def start_bindings(
    store: Store,
    events: EventBus,
    link: KnxLink | None,
    zigbee: Contribution,
    catalogues: CatalogueService | None,
) -> Contribution:
    """The bindings over the gateway's KNX link and Zigbee side (nothing without KNX)."""
    if link is None or link.settings.mode == "none":
        log.info("no KNX link: bindings are off")
        return Contribution()
    side = BindingsSide(
        store,
        events,
        link,
        zigbee.lights,
        groups=zigbee.groups,
        scenes=zigbee.scenes,
        sensors=zigbee.sensors,
    )
    await side.start(catalogues)
    return Contribution(
        deconz_routes=list(BINDING_ROUTES),
        attach_deconz=side.attach,
        status=side.status,
        stop=side.stop,
    )
