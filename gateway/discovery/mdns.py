"""mDNS / DNS-SD: ``<name>._hue._tcp.local.`` with the TXT records Hue clients read.

python-zeroconf does the protocol (probing, answering queries, goodbye packets on stop).
Hue bridges publish ``bridgeid`` (lower case) and ``modelid``; Home Assistant's Hue
discovery and the Hue apps take the host and port from the service record.
"""

from __future__ import annotations

import logging
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from gateway.discovery.identity import HUE_MODEL_ID, BridgeIdentity

log = logging.getLogger(__name__)

SERVICE_TYPE = "_hue._tcp.local."


def service_info(identity: BridgeIdentity) -> AsyncServiceInfo:
    """The DNS-SD record set for ``identity``."""
    instance = f"{identity.name} - {identity.bridgeid[-6:].upper()}"
    return AsyncServiceInfo(
        SERVICE_TYPE,
        f"{instance}.{SERVICE_TYPE}",
        addresses=[socket.inet_pton(_family(identity.host), identity.host)],
        port=identity.port,
        properties={"bridgeid": identity.bridgeid.lower(), "modelid": HUE_MODEL_ID},
        server=f"gateway-{identity.bridgeid.lower()}.local.",
    )


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class MdnsAnnouncer:
    """Registers the service on the interface of ``identity.host``; unregisters on stop."""

    def __init__(self, identity: BridgeIdentity, *, interfaces: list[str] | None = None) -> None:
        self.identity = identity
        self._interfaces = interfaces or [identity.host]
        self._zeroconf: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> None:
        version = IPVersion.V6Only if ":" in self.identity.host else IPVersion.V4Only
        self._zeroconf = AsyncZeroconf(interfaces=self._interfaces, ip_version=version)
        self._info = service_info(self.identity)
        await self._zeroconf.async_register_service(self._info, allow_name_change=True)
        log.info("event=mdns_registered name=%s port=%d", self._info.name, self.identity.port)

    async def stop(self) -> None:
        if self._zeroconf is None:
            return
        if self._info is not None:
            await self._zeroconf.async_unregister_service(self._info)
        await self._zeroconf.async_close()
        self._zeroconf = None
