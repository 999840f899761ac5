"""Facts about the host network the configuration API reports (ip, netmask, gateway, mac).

Why read /proc and /sys instead of opening sockets: finding "our" address by connecting a
UDP socket toward a public address is a common trick, but this gateway must never aim
traffic at addresses it was not configured for. The default route in /proc/net/route names
the interface; its address and netmask come from ioctls; the MAC from /sys.
"""

from __future__ import annotations

import asyncio
import fcntl
import ipaddress
import logging
import socket
import struct
from pathlib import Path

from gateway.domain.config import SystemInfo

log = logging.getLogger(__name__)

SIOCGIFADDR = 0x8915
SIOCGIFNETMASK = 0x891B
REFRESH_S = 60.0


def _default_route(proc_route: Path = Path("/proc/net/route")) -> tuple[str, str] | None:
    """(interface, gateway address) of the IPv4 default route, if any."""
    try:
        lines = proc_route.read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 3 and fields[1] == "00000000":
            gateway = socket.inet_ntoa(struct.pack("<L", int(fields[2], 16)))
            return fields[0], gateway
    return None


def _ioctl_addr(ifname: str, request: int) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), request, struct.pack("256s", ifname[:15].encode()))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


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
    """Blocking: call through a thread."""
    route = _default_route()
    if route is None:
        return SystemInfo()
    ifname, gateway = route
    address = _ioctl_addr(ifname, SIOCGIFADDR) or "127.0.0.1"
    netmask = _ioctl_addr(ifname, SIOCGIFNETMASK) or "255.255.255.255"
    try:
        mac = Path(f"/sys/class/net/{ifname}/address").read_text().strip()
    except OSError:
        mac = "00:00:00:00:00:00"
    try:
        ipaddress.ip_address(address)
    except ValueError:
        address = "127.0.0.1"
    return SystemInfo(address, netmask, gateway, mac, _dhcp_lease_exists(ifname))


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
