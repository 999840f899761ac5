"""The KNX side of a running gateway: the link, and in virtual mode the emulator behind it.

Why "virtual" lives here: ``make run`` on a laptop has no KNX IP interface, and the gateway
should still come up with a bus to talk to. With ``knx.mode = "virtual"`` we start the
emulator from ``hil/emulators/knx`` (its default devices are the example catalogue in its
README) on loopback and tunnel to it over UDP exactly as to a real interface. The emulator
is imported only in that mode, so a production install never loads test code.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from ..settings import KnxSection
from .link import KnxLink, LinkState

log = logging.getLogger(__name__)


@dataclass
class KnxRuntime:
    """What the composition root holds on to: the link (always), the emulator (virtual)."""

    link: KnxLink
    emulator: Any | None = None  # hil.emulators.knx.KnxEmulator in virtual mode

    def status(self) -> str:
        """One short line for systemd's STATUS and the status page."""
        settings = self.link.settings
        if settings.mode == "none":
            return "knx: disabled"
        where = f"{settings.gateway_host or '127.0.0.1'}:{settings.gateway_port}"
        if settings.mode == "routing":
            where = f"{settings.multicast_group}:{settings.multicast_port}"
        virtual = " (emulator)" if self.emulator is not None else ""
        return f"knx: {self.link.state} {settings.mode} {where}{virtual}"

    def healthy(self) -> bool:
        """False only if the link's supervisor died: a KNX outage is not a reason to restart."""
        return self.link.supervising or self.link.settings.mode == "none"

    @property
    def connected(self) -> bool:
        return self.link.state is LinkState.CONNECTED

    async def stop(self) -> None:
        """Stop the link, then the emulator."""
        await self.link.stop()
        if self.emulator is not None:
            await self.emulator.stop()


async def start_knx_runtime(settings: KnxSection) -> KnxRuntime:
    """Start the link (and the emulator for ``virtual``); returns without waiting to connect."""
    emulator = None
    if settings.mode == "virtual":
        emulator, settings = await _start_emulator(settings)
    link = KnxLink(settings)
    await link.start()
    return KnxRuntime(link=link, emulator=emulator)


async def _start_emulator(settings: KnxSection) -> tuple[Any, KnxSection]:
    from hil.emulators.knx import CatalogueError, KnxEmulator, default_devices  # virtual only

    try:
        devices = await asyncio.to_thread(default_devices)
    except CatalogueError as exc:
        # An install without the device file still gets a bus to talk to, just an empty one.
        log.error("event=knx_emulator_devices_missing error=%r", str(exc))
        devices = []
    emulator = KnxEmulator(devices, port=settings.gateway_port)
    try:
        await emulator.start()
    except OSError as exc:
        log.warning(
            "event=knx_emulator_port_busy port=%s error=%r: using a free port",
            settings.gateway_port,
            str(exc),
        )
        emulator = KnxEmulator(devices, port=0)  # the devices re-bind to the new emulator
        await emulator.start()
    log.info("event=knx_emulator_started port=%s devices=%s", emulator.port, len(emulator.devices))
    effective = dataclasses.replace(settings, gateway_host="127.0.0.1", gateway_port=emulator.port)
    return emulator, effective
