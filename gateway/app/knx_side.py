"""Builds and starts the KNX side and the Thinknx API from the settings.

Order, and why:

1. the Thinknx catalogue (``thinknx.devices_file``, or the virtual rig's catalogue): a bad
   file stops start-up with its problems listed, before the KNX link exists (the rig's
   child, already starting, is stopped with the gateway);
2. in ``virtual`` mode the KNX emulator's loopback port, from the virtual rig's one child
   (``hil/virtual_rig.py``, started by the composition root through ``gateway.app.virtual``);
3. the KNX link, which connects in the background (start never waits for the bus);
4. the Thinknx services and app, served by the composition root on ``thinknx.port``, and the
   watcher that reloads the catalogue when its file changes.

Stop runs the other way round. ``build_thinknx`` is the same assembly without settings
plumbing, so the acceptance tests run exactly what the gateway runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.api.deconz.context import DeconzServices
from gateway.api.thinknx.app import build_thinknx_app
from gateway.api.thinknx.auth import NONCE_LIFETIME, Authenticator, NonceStore
from gateway.api.thinknx.clients import ClientTracker, RateLimiter
from gateway.api.thinknx.context import ThinknxServices
from gateway.api.thinknx.openapi import thinknx_paths
from gateway.app.contribution import Contribution, StartupError
from gateway.app.virtual import VirtualPeer, VirtualRigError, virtual_catalogue
from gateway.knx.catalogue import Catalogue, CatalogueError
from gateway.knx.catalogue_service import POLL_INTERVAL, CatalogueService
from gateway.knx.devices import DeviceService
from gateway.knx.feed import KnxFeed
from gateway.knx.link import KnxLink
from gateway.knx.runtime import KnxRuntime
from gateway.knx.system import ServerInfo, SystemCommands
from gateway.knx.users import REALM, ThinknxUsers
from gateway.settings import ThinknxSection
from gateway.store import Store

if TYPE_CHECKING:
    from gateway.app.gateway import Gateway

log = logging.getLogger(__name__)


@dataclass
class ThinknxStack:
    """The Thinknx API with everything behind it, ready to be served."""

    app: Any  # the Starlette app
    services: ThinknxServices
    devices: DeviceService
    catalogues: CatalogueService
    users: ThinknxUsers
    watcher: asyncio.Task[None] | None

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
            self.watcher = None


def build_thinknx(
    link: KnxLink,
    store: Store,
    settings: ThinknxSection,
    catalogues: CatalogueService,
    *,
    nonce_lifetime: float = NONCE_LIFETIME,
) -> ThinknxStack:
    """The Thinknx app over ``link`` and ``store``; ``catalogues`` must be loaded already."""
    devices = DeviceService(link, catalogues.current, feedback_timeout=settings.feedback_timeout)
    catalogues.set_listener(devices.replace_catalogue)
    users = ThinknxUsers(store.knx)
    services = ThinknxServices(
        devices=devices,
        system=SystemCommands(link),
        server=ServerInfo(lambda: catalogues.current.loaded_at),
        authenticator=Authenticator(users, realm=REALM, nonces=NonceStore(nonce_lifetime)),
        limiter=RateLimiter(settings.rate_limit, settings.rate_burst),
        clients=ClientTracker(),
    )
    watcher = None
    if catalogues.path is not None:
        watcher = asyncio.create_task(catalogues.watch(), name="thinknx-catalogue-watch")
    return ThinknxStack(build_thinknx_app(services), services, devices, catalogues, users, watcher)


async def load_catalogue(
    store: Store, path: Path | None, *, poll_interval: float = POLL_INTERVAL
) -> CatalogueService:
    """The catalogue service with ``path`` loaded; :class:`CatalogueError` if it is bad."""
    catalogues = CatalogueService(store.knx, path, poll_interval=poll_interval)
    await catalogues.load()
    return catalogues


async def start_knx(gateway: Gateway) -> Contribution:
    """The KNX link (and emulator), and the Thinknx API when enabled."""
    settings = gateway.settings
    store = gateway.store
    assert store is not None, "the store opens before the field buses"
    thinknx = settings.thinknx
    virtual = settings.knx.mode == "virtual"

    catalogues = None
    if thinknx.enabled:
        path = thinknx.devices_file
        if path is None and virtual:
            path = virtual_catalogue()
        try:
            catalogues = await load_catalogue(store, path)
        except CatalogueError as exc:
            raise StartupError(f"thinknx.devices_file: {exc}") from None

    knx = settings.knx
    emulator: VirtualPeer | None = None
    if virtual:
        assert gateway.virtual_rig is not None, "the composition root starts the rig"
        try:
            port, emulator = await gateway.virtual_rig.knx()
        except VirtualRigError as exc:
            raise StartupError(f"knx.mode: virtual: {exc}") from None
        knx = dataclasses.replace(knx, gateway_host="127.0.0.1", gateway_port=port)
    elif knx.mode == "none":
        log.info("no KNX connection configured (knx.mode = none)")
    link = KnxLink(knx)
    await link.start()
    runtime = KnxRuntime(link=link, emulator=emulator)
    # The page's KNX view and bus monitor: the catalogue's meanings when Thinknx has one.
    feed = KnxFeed(link, (lambda: catalogues.current) if catalogues is not None else Catalogue)
    feed.start()

    def attach(services: DeconzServices) -> None:
        services.knx_feed = feed

    if catalogues is None:
        log.info("Thinknx API disabled (thinknx.enabled = false)")

        async def stop_link() -> None:
            await feed.stop()
            await runtime.stop()

        return Contribution(
            attach_deconz=attach,
            status=runtime.status,
            healthy=runtime.healthy,
            stop=stop_link,
            knx_link=link,
        )

    stack = build_thinknx(link, store, thinknx, catalogues)
    if await stack.users.count() == 0:
        log.warning(
            "event=thinknx_no_users: every Thinknx request will be refused until a user "
            "exists; add one with: gateway thinknx user add NAME"
        )
    log.info(
        "event=thinknx_catalogue_loaded file=%s devices=%d",
        catalogues.path,
        len(catalogues.current.devices),
    )

    def status() -> str:
        count = len(catalogues.current.devices)
        return f"{runtime.status()}, thinknx :{thinknx.port} ({count} devices)"

    async def stop() -> None:
        await stack.stop()
        await feed.stop()
        await runtime.stop()

    return Contribution(
        attach_deconz=attach,
        servers=[("thinknx", stack.app, thinknx.host, thinknx.port, "thinknx.port")],
        openapi_paths=lambda: thinknx_paths(thinknx.port),
        healthy=runtime.healthy,
        status=status,
        stop=stop,
        knx_link=link,
        catalogues=catalogues,
    )
