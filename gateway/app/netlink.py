"""The host's IPv4 default route, address, netmask and MAC, read over rtnetlink.

Why netlink and not ``/proc/net/route`` or ioctls: the systemd unit runs the gateway with
``ProcSubset=pid``, which hides ``/proc/net``, so the old reader reported ``127.0.0.1`` and a
zero MAC to every client and to discovery. An ``AF_NETLINK`` socket (allowed by the unit's
``RestrictAddressFamilies=``) asks the kernel directly: one route dump, one address dump,
one link dump, no traffic on any network, no file system access.

Only what the configuration API shows is decoded (``rtmsg``, ``ifaddrmsg``, ``ifinfomsg``
headers and four attributes); everything else in the answers is skipped by length.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass

NETLINK_ROUTE = 0
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE = 18, 22, 26
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
RT_TABLE_MAIN = 254
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_TABLE = 1, 4, 5, 6, 15
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFLA_ADDRESS, IFLA_IFNAME = 1, 3

_NLMSGHDR = struct.Struct("=LHHLL")
_RTMSG = struct.Struct("=BBBBBBBBI")
_IFADDRMSG = struct.Struct("=BBBBI")
_IFINFOMSG = struct.Struct("=BxHiII")
_RTATTR = struct.Struct("=HH")
RECEIVE_TIMEOUT_S = 2.0


class NetlinkError(OSError):
    """The kernel refused a request or answered something we cannot read."""


@dataclass(frozen=True)
class DefaultRoute:
    interface: str
    gateway: str
    address: str | None  # the interface's first IPv4 address
    netmask: str | None
    mac: str | None


def _align(length: int) -> int:
    return (length + 3) & ~3


def attributes(data: bytes, offset: int) -> dict[int, bytes]:
    """The route attributes from ``offset`` to the end of one message (last one wins)."""
    found: dict[int, bytes] = {}
    while offset + _RTATTR.size <= len(data):
        length, kind = _RTATTR.unpack_from(data, offset)
        if length < _RTATTR.size or offset + length > len(data):
            break
        found[kind] = data[offset + _RTATTR.size : offset + length]
        offset += _align(length)
    return found


def messages(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, payload) of every netlink message in one datagram."""
    offset = 0
    while offset + _NLMSGHDR.size <= len(data):
        length, kind, _flags, _seq, _pid = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size or offset + length > len(data):
            raise NetlinkError("truncated netlink message")
        yield kind, data[offset + _NLMSGHDR.size : offset + length]
        offset += _align(length)


def _dump(sock: socket.socket, kind: int, header: bytes, seq: int) -> list[bytes]:
    request = _NLMSGHDR.pack(_NLMSGHDR.size + len(header), kind, NLM_F_REQUEST | NLM_F_DUMP, seq, 0)
    sock.send(request + header)
    payloads: list[bytes] = []
    while True:
        for message_kind, payload in messages(sock.recv(65536)):
            if message_kind == NLMSG_DONE:
                return payloads
            if message_kind == NLMSG_ERROR:
                (code,) = struct.unpack_from("=i", payload)
                if code:
                    raise NetlinkError(-code, os.strerror(-code))
                return payloads
            payloads.append(payload)


def _default_route(routes: list[bytes]) -> tuple[int, str] | None:
    """(interface index, gateway) of the main table's IPv4 default route with the best metric."""
    best: tuple[int, int, str] | None = None
    for payload in routes:
        family, dst_len, _src, _tos, table, _proto, _scope, _type, _flags = _RTMSG.unpack_from(
            payload
        )
        attrs = attributes(payload, _RTMSG.size)
        if RTA_TABLE in attrs:
            (table,) = struct.unpack("=I", attrs[RTA_TABLE])
        if family != socket.AF_INET or dst_len != 0 or table != RT_TABLE_MAIN:
            continue
        if RTA_OIF not in attrs or RTA_GATEWAY not in attrs:
            continue
        (index,) = struct.unpack("=i", attrs[RTA_OIF])
        metric = struct.unpack("=I", attrs[RTA_PRIORITY])[0] if RTA_PRIORITY in attrs else 0
        gateway = socket.inet_ntoa(attrs[RTA_GATEWAY])
        if best is None or metric < best[0]:
            best = (metric, index, gateway)
    return None if best is None else (best[1], best[2])


def _address_of(addresses: list[bytes], index: int) -> tuple[str, str] | None:
    for payload in addresses:
        family, prefix, _flags, _scope, owner = _IFADDRMSG.unpack_from(payload)
        if family != socket.AF_INET or owner != index:
            continue
        attrs = attributes(payload, _IFADDRMSG.size)
        raw = attrs.get(IFA_LOCAL) or attrs.get(IFA_ADDRESS)
        if raw is None:
            continue
        netmask = ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask
        return socket.inet_ntoa(raw), str(netmask)
    return None


def _link_of(links: list[bytes], index: int) -> tuple[str, str | None] | None:
    for payload in links:
        _family, _type, owner, _flags, _change = _IFINFOMSG.unpack_from(payload)
        if owner != index:
            continue
        attrs = attributes(payload, _IFINFOMSG.size)
        name = attrs.get(IFLA_IFNAME, b"").rstrip(b"\0").decode(errors="replace")
        mac = attrs.get(IFLA_ADDRESS)
        return name, ":".join(f"{b:02x}" for b in mac) if mac and len(mac) == 6 else None
    return None


def read_default_route() -> DefaultRoute | None:
    """Blocking (a few small datagrams): the default route and its interface, or None."""
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE) as sock:
        sock.settimeout(RECEIVE_TIMEOUT_S)
        sock.bind((0, 0))
        route = _default_route(
            _dump(sock, RTM_GETROUTE, _RTMSG.pack(socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0), 1)
        )
        if route is None:
            return None
        index, gateway = route
        address = _address_of(
            _dump(sock, RTM_GETADDR, _IFADDRMSG.pack(socket.AF_INET, 0, 0, 0, 0), 2), index
        )
        link = _link_of(
            _dump(sock, RTM_GETLINK, _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0), 3), index
        )
    name, mac = link if link is not None else (str(index), None)
    return DefaultRoute(
        interface=name,
        gateway=gateway,
        address=address[0] if address else None,
        netmask=address[1] if address else None,
        mac=mac,
    )
