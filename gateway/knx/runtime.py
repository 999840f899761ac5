"""The KNX side of a running gateway, as the composition root holds it: link and emulator.

``gateway/app/knx_side.py`` builds it; in ``virtual`` mode the emulator is the child process of
``hil/virtual_knx.py`` (anything with an async ``stop()``). This class answers the two
questions the service asks of every field bus: a status line, and whether it is healthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .link import KnxLink, LinkState


@dataclass
class KnxRuntime:
    """What the composition root holds on to: the link (always), the emulator (virtual)."""

    link: KnxLink
    emulator: Any | None = None  # has an async stop(); the virtual rig's emulator process

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
