"""Facts about the host network the configuration API reports (ip, netmask, gateway, mac).

Why ask the kernel over netlink (``gateway.app.netlink``) instead of opening a socket toward
the internet: finding "our" address by connecting a UDP socket toward a public address is a
common trick, but this gateway must never aim traffic at addresses it was not configured
for. And not ``/proc/net/route``: the unit's ``ProcSubset=pid`` hides it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from gateway.app.netlink import read_default_route
from gateway.domain.config import SystemInfo

log = logging.getLogger(__name__)

REFRESH_S = 60.0


def _dhcp_lease_exists(ifname: str) -> bool:
    """A DHCP client leaves a lease file; its presence is how we tell DHCP from static."""
    candidates = [
        Path("/run/systemd/netif/leases"),
        Path("/var/lib/dhcp"),
        Path("/var/lib/dhcpcd"),
        Path("/var/lib/NetworkManager"),
    ]
    for folder in candidates:
        try:
            if any(ifname in p.name for p in folder.iterdir()):
                return True
        except OSError:
            continue
    return False


def read_system_info() -> SystemInfo:
    """Blocking: call through a thread. Defaults (loopback) when there is no default route."""
    route = read_default_route()
    if route is None:
        return SystemInfo()
    return SystemInfo(
        route.address or "127.0.0.1",
        route.netmask or "255.255.255.255",
        route.gateway,
        route.mac or "00:00:00:00:00:00",
        _dhcp_lease_exists(route.interface),
    )


class HostInfo:
    """Keeps a recent :class:`SystemInfo`, refreshed in the background off the event loop."""

    def __init__(self) -> None:
        self._info = SystemInfo()

    def current(self) -> SystemInfo:
        return self._info

    async def refresh(self) -> None:
        try:
            self._info = await asyncio.to_thread(read_system_info)
        except Exception:  # a missing /proc must not take the gateway down
            log.exception("cannot read host network information")

    async def run(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_S)
            await self.refresh()
