"""Runs SSDP and mDNS as the settings say, and follows changes of the gateway's identity.

Why follow: the bridge id comes from the coordinator's IEEE address, which is known only
once the radio has started (and changes when a new stick replaces a dead one); the name
can be changed through the API, the address by DHCP. Discovery starts with what is known
and re-announces when any of it changes, checked every :data:`REFRESH_S` seconds.

A discovery failure (port 1900 or 5353 taken, no multicast route) is logged and the
gateway goes on serving: being found is a convenience, the API is the product.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from gateway.discovery.identity import BridgeIdentity
from gateway.discovery.mdns import MdnsAnnouncer
from gateway.discovery.ssdp import SsdpAnnouncer
from gateway.settings import DiscoverySection

log = logging.getLogger(__name__)

REFRESH_S = 30.0


class Announcer(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


AnnouncerFactory = Callable[[BridgeIdentity], Announcer]


class Discovery:
    """SSDP and/or mDNS for the identity ``identity()`` returns (None: not announcing)."""

    def __init__(
        self,
        settings: DiscoverySection,
        identity: Callable[[], BridgeIdentity | None],
        *,
        refresh_s: float = REFRESH_S,
        factories: dict[str, AnnouncerFactory] | None = None,
    ) -> None:
        self._identity = identity
        self._refresh_s = refresh_s
        wanted = {"ssdp": settings.ssdp, "mdns": settings.mdns}
        available: dict[str, AnnouncerFactory] = factories or {
            "ssdp": SsdpAnnouncer,
            "mdns": MdnsAnnouncer,
        }
        self._factories = {name: f for name, f in available.items() if wanted.get(name)}
        self._running: dict[str, Announcer] = {}
        self._announced: BridgeIdentity | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def announcing(self) -> list[str]:
        """The protocols running now ("ssdp", "mdns")."""
        return sorted(self._running)

    async def start(self) -> None:
        if not self._factories:
            log.info("event=discovery_off (discovery.ssdp and discovery.mdns are false)")
            return
        await self._announce(self._identity())
        self._task = asyncio.create_task(self._follow(), name="discovery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._withdraw()

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_s)
            identity = self._identity()
            if identity != self._announced:
                log.info("event=discovery_identity_changed")
                await self._withdraw()
                await self._announce(identity)

    async def _announce(self, identity: BridgeIdentity | None) -> None:
        self._announced = identity
        if identity is None:
            log.info("event=discovery_waiting reason=no announceable address (loopback or none)")
            return
        for name, factory in self._factories.items():
            announcer = factory(identity)
            try:
                await announcer.start()
            except Exception as exc:  # any failure: log it and serve on
                log.warning("event=discovery_failed protocol=%s error=%s", name, exc)
                with contextlib.suppress(Exception):
                    await announcer.stop()
                continue
            self._running[name] = announcer

    async def _withdraw(self) -> None:
        for name, announcer in list(self._running.items()):
            try:
                await announcer.stop()
            except Exception as exc:
                log.warning("event=discovery_stop_failed protocol=%s error=%s", name, exc)
        self._running.clear()
