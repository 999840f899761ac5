"""What rides on the deCONZ port besides the API: the page, backup/restore and discovery.

Why together: all three present the gateway as an appliance on the LAN (``docs/page.md``).
The page's routes and the backup service hang on the deCONZ app; a staged restore is
applied before the store opens; SSDP/mDNS start once the HTTP server listens, so what they
announce answers.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from starlette.routing import BaseRoute

from gateway import __version__
from gateway.api.deconz.knx_status import knx_websocket_routes
from gateway.api.web import web_routes
from gateway.app.zigbee_side import BACKUP_DIR
from gateway.backup import BackupService, apply_pending_restore
from gateway.discovery import Discovery, identity_source
from gateway.discovery.identity import BridgeIdentity, description_xml
from gateway.domain.config import GatewayConfigService
from gateway.settings import Settings
from gateway.zigbee.backups import backup_path

log = logging.getLogger(__name__)


def network_backup_file(settings: Settings) -> Path:
    return backup_path(settings.gateway.state_dir / BACKUP_DIR)


async def apply_staged_restore(settings: Settings) -> None:
    """An uploaded backup waits for this start: put it in place before the store opens."""
    await asyncio.to_thread(
        apply_pending_restore,
        settings.gateway.state_dir,
        settings.database_url,
        network_backup_file(settings),
    )


def backup_service(settings: Settings) -> BackupService:
    return BackupService(
        settings.gateway.state_dir,
        settings.database_url,
        network_backup_file(settings),
        __version__,
    )


def page_routes(config: GatewayConfigService) -> list[BaseRoute]:
    """The page, ``/docs``, ``/description.xml`` and the KNX monitor websocket."""

    def describe(host: str, port: int) -> bytes:
        current = config.current
        return description_xml(
            BridgeIdentity(config.bridgeid, current.name, current.uuid, host, port)
        )

    return [*knx_websocket_routes(), *web_routes(describe)]


async def start_discovery(settings: Settings, config: GatewayConfigService) -> Discovery:
    discovery = Discovery(
        settings.discovery, identity_source(config, settings.http.host, settings.http.port)
    )
    await discovery.start()
    return discovery
