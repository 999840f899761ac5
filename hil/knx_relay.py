"""A KNXnet/IP-aware UDP relay between the gateway and a KNX IP interface, which the suite cuts.

Why a relay: the tunnel-loss scenarios must break the path between the gateway and the
interface while both stay up, the way a pulled network cable or a dead switch port does.
A process signal (stopping the emulator) only works for the virtual rig; a relay on the rig
machine works for a real KNX IP interface too, and cutting it is instant and reversible.

Why KNXnet/IP-aware rather than a plain port forward: a UDP tunnel client puts its own
address in the HPAIs of CONNECT_REQUEST, CONNECTIONSTATE_REQUEST and DISCONNECT_REQUEST,
and the interface answers there, not to the packet's source; the CONNECT_RESPONSE names
the interface's data endpoint, where the client then sends its tunnelling requests. A dumb
forward would be bypassed in both directions unless the gateway ran with
``knx.route_back = true``, i.e. configured differently from production. So the relay
rewrites every HPAI to itself, exactly like a KNXnet/IP-aware NAT router, and the gateway
keeps its production settings (only ``knx.gateway_host``/``gateway_port`` point here).

One upstream socket per client socket, so the interface sees one peer per tunnel, as it
would without the relay. Everything runs in one thread with a selector: the relay keeps
forwarding while the test's event loop is busy or between tests.

Faults:

* :meth:`KnxRelay.cut` drops every datagram in both directions (cable pulled) until
  :meth:`KnxRelay.restore`;
* :attr:`KnxRelay.connect_requests` records every CONNECT_REQUEST a client sent, forwarded
  or dropped by a cut, so a test can see how the client paces its attempts while cut off;
* :meth:`KnxRelay.drop_tunnels` sends the interface a DISCONNECT_REQUEST for every open
  channel on the client's behalf and swallows the answer, so the interface forgets the
  tunnel while the client believes it is open (what an interface reboot does).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import selectors
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

Address = tuple[str, int]

HEADER = struct.Struct("!BBHH")  # header length, version, service type, total length
HPAI_LEN = 8
HPAI_UDP = 0x01

SEARCH_REQUEST = 0x0201
SEARCH_RESPONSE = 0x0202
DESCRIPTION_REQUEST = 0x0203
CONNECT_REQUEST = 0x0205
CONNECT_RESPONSE = 0x0206
CONNECTIONSTATE_REQUEST = 0x0207
DISCONNECT_REQUEST = 0x0209
DISCONNECT_RESPONSE = 0x020A
SEARCH_REQUEST_EXTENDED = 0x020B
SEARCH_RESPONSE_EXTENDED = 0x020C
TUNNELLING_SERVICES = frozenset(range(0x0420, 0x0426))  # request, ack, feature get/resp/set/info

# Offset of the HPAI each client -> interface service carries (client's own endpoint).
CLIENT_HPAI_OFFSETS = {
    SEARCH_REQUEST: (6,),
    SEARCH_REQUEST_EXTENDED: (6,),
    DESCRIPTION_REQUEST: (6,),
    CONNECT_REQUEST: (6, 14),  # control endpoint, data endpoint
    CONNECTIONSTATE_REQUEST: (8,),
    DISCONNECT_REQUEST: (8,),
}
# Offset of the HPAI each interface -> client service carries (interface's endpoint).
SERVER_HPAI_OFFSETS = {
    SEARCH_RESPONSE: 6,
    SEARCH_RESPONSE_EXTENDED: 6,
    DISCONNECT_REQUEST: 8,
}

SELECT_TIMEOUT = 0.1
BUFFER = 4096


def service_type(data: bytes) -> int | None:
    """The KNXnet/IP service type of a datagram, or None if it is not one."""
    if len(data) < HEADER.size:
        return None
    header_len, version, service, total = HEADER.unpack_from(data)
    if header_len != HEADER.size or version != 0x10 or total != len(data):
        return None
    return int(service)


def read_hpai(data: bytes, offset: int) -> Address | None:
    """The UDP endpoint of the HPAI at ``offset`` (None if absent or not UDP)."""
    if len(data) < offset + HPAI_LEN or data[offset] != HPAI_LEN or data[offset + 1] != HPAI_UDP:
        return None
    host = str(ipaddress.IPv4Address(data[offset + 2 : offset + 6]))
    (port,) = struct.unpack_from("!H", data, offset + 6)
    return host, int(port)


def write_hpai(data: bytearray, offset: int, address: Address) -> None:
    """Replace the endpoint of the UDP HPAI at ``offset`` (left alone if there is none)."""
    if read_hpai(bytes(data), offset) is None:
        return
    data[offset + 2 : offset + 6] = ipaddress.IPv4Address(address[0]).packed
    struct.pack_into("!H", data, offset + 6, address[1])


def is_route_back(address: Address | None) -> bool:
    """0.0.0.0:0 means "answer to the packet's source" (NAT mode)."""
    return address is not None and address == ("0.0.0.0", 0)


def local_address_towards(target: Address) -> str:
    """The local IP the kernel uses to reach ``target`` (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(target)
        return str(probe.getsockname()[0])


@dataclass
class _Session:
    """One client socket and the upstream socket that stands for it at the interface."""

    client: Address  # where the client's datagrams come from
    upstream: socket.socket
    control: Address  # where the client wants control answers
    data: Address  # where the client wants tunnelling frames
    server_data: Address  # the interface's data endpoint (from CONNECT_RESPONSE)
    channels: set[int] = field(default_factory=set)
    swallow_disconnects: int = 0

    @property
    def upstream_address(self) -> Address:
        host, port = self.upstream.getsockname()[:2]
        return str(host), int(port)


@dataclass(frozen=True)
class ConnectAttempt:
    """A CONNECT_REQUEST from a client: when (``time.monotonic()``) and whether a cut ate it."""

    at: float
    dropped: bool


@dataclass
class RelayCounters:
    """What went through, for assertions and for the report of a failing scenario."""

    to_interface: int = 0
    to_client: int = 0
    dropped: int = 0
    injected_disconnects: int = 0


class KnxRelay:
    """Forwards KNXnet/IP over UDP between clients and one interface; can be cut."""

    def __init__(self, target: Address, *, listen_host: str = "127.0.0.1") -> None:
        self.target = target
        self._listen_host = listen_host
        self._upstream_host = local_address_towards(target)
        self._selector = selectors.DefaultSelector()
        self._listen: socket.socket | None = None
        self._sessions: dict[Address, _Session] = {}
        self._by_upstream: dict[socket.socket, _Session] = {}
        self._lock = threading.Lock()
        self._cut = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.counters = RelayCounters()
        self.connect_requests: list[ConnectAttempt] = []

    # -- life cycle -------------------------------------------------------------------------

    @property
    def address(self) -> Address:
        """Where clients connect (the gateway's ``knx.gateway_host``/``gateway_port``)."""
        if self._listen is None:
            raise RuntimeError("relay not started")
        host, port = self._listen.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> Address:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((self._listen_host, 0))
        sock.setblocking(False)
        self._listen = sock
        self._selector.register(sock, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._run, name="knx-relay", daemon=True)
        self._thread.start()
        log.info("KNX relay %s:%d -> %s:%d", *self.address, *self.target)
        return self.address

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            for session in self._sessions.values():
                session.upstream.close()
            self._sessions.clear()
            self._by_upstream.clear()
        if self._listen is not None:
            self._listen.close()
        self._selector.close()

    # -- faults -----------------------------------------------------------------------------

    @property
    def is_cut(self) -> bool:
        return self._cut.is_set()

    def cut(self) -> None:
        """Drop everything in both directions, as a pulled cable does."""
        self._cut.set()
        log.info("KNX relay cut")

    def restore(self) -> None:
        """Forward again (the interface and the client may have given up meanwhile)."""
        self._cut.clear()
        log.info("KNX relay restored")

    def open_channels(self) -> list[int]:
        """Tunnel channels the interface granted and nobody closed yet."""
        with self._lock:
            return sorted(c for s in self._sessions.values() for c in s.channels)

    def drop_tunnels(self) -> int:
        """Make the interface forget every open tunnel; returns how many were dropped.

        The interface gets a DISCONNECT_REQUEST per channel from the socket it knows the
        client by and answers it to us; the answer is not passed on, so the client learns
        of the loss only from the interface (E_CONNECTION_ID to its next probe).
        """
        dropped = 0
        with self._lock:
            for session in self._sessions.values():
                for channel in sorted(session.channels):
                    body = bytes([channel, 0]) + self._hpai(session.upstream_address)
                    frame = HEADER.pack(6, 0x10, DISCONNECT_REQUEST, 6 + len(body)) + body
                    session.swallow_disconnects += 1
                    session.upstream.sendto(frame, self.target)
                    dropped += 1
                session.channels.clear()
            self.counters.injected_disconnects += dropped
        log.info("KNX relay dropped %d tunnel(s) at the interface", dropped)
        return dropped

    # -- the loop ---------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                events = self._selector.select(SELECT_TIMEOUT)
            except (OSError, ValueError):
                return
            for key, _mask in events:
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data, source = sock.recvfrom(BUFFER)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as exc:  # ICMP port unreachable from a vanished peer
                    log.debug("KNX relay receive error: %r", exc)
                    continue
                if sock is self._listen and service_type(data) == CONNECT_REQUEST:
                    self.connect_requests.append(ConnectAttempt(time.monotonic(), self.is_cut))
                if self._cut.is_set():
                    self.counters.dropped += 1
                    continue
                try:
                    if sock is self._listen:
                        self._from_client(data, (str(source[0]), int(source[1])))
                    else:
                        self._from_interface(sock, data)
                except OSError as exc:
                    log.debug("KNX relay send error: %r", exc)

    def _session_for(self, client: Address) -> _Session:
        with self._lock:
            session = self._sessions.get(client)
            if session is None:
                upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                upstream.bind((self._upstream_host, 0))
                upstream.setblocking(False)
                session = _Session(client, upstream, client, client, self.target)
                self._sessions[client] = session
                self._by_upstream[upstream] = session
                self._selector.register(upstream, selectors.EVENT_READ)
            return session

    def _from_client(self, data: bytes, client: Address) -> None:
        session = self._session_for(client)
        service = service_type(data)
        frame = bytearray(data)
        destination = self.target
        offsets = CLIENT_HPAI_OFFSETS.get(service or -1, ())
        for index, offset in enumerate(offsets):
            endpoint = read_hpai(data, offset)
            if endpoint is None:
                continue
            wanted = client if is_route_back(endpoint) else endpoint
            if service == CONNECT_REQUEST and index == 1:
                session.data = wanted
            else:
                session.control = wanted
            write_hpai(frame, offset, session.upstream_address)
        if service in TUNNELLING_SERVICES:
            destination = session.server_data
        elif service == DISCONNECT_REQUEST and len(data) > 6:
            session.channels.discard(data[6])
        session.upstream.sendto(bytes(frame), destination)
        self.counters.to_interface += 1

    def _from_interface(self, upstream: socket.socket, data: bytes) -> None:
        with self._lock:
            session = self._by_upstream.get(upstream)
        if session is None:
            return
        service = service_type(data)
        frame = bytearray(data)
        if service == DISCONNECT_RESPONSE and session.swallow_disconnects > 0:
            session.swallow_disconnects -= 1
            return
        if service == CONNECT_RESPONSE and len(data) >= 8 + HPAI_LEN and data[7] == 0:
            endpoint = read_hpai(data, 8)
            if endpoint is not None:
                session.server_data = self.target if is_route_back(endpoint) else endpoint
                write_hpai(frame, 8, self.address)
            session.channels.add(data[6])
        offset = SERVER_HPAI_OFFSETS.get(service or -1)
        if offset is not None:
            write_hpai(frame, offset, self.address)
        if service == DISCONNECT_REQUEST and len(data) > 6:
            session.channels.discard(data[6])
        destination = session.data if service in TUNNELLING_SERVICES else session.control
        assert self._listen is not None
        self._listen.sendto(bytes(frame), destination)
        self.counters.to_client += 1

    @staticmethod
    def _hpai(address: Address) -> bytes:
        return (
            bytes([HPAI_LEN, HPAI_UDP])
            + ipaddress.IPv4Address(address[0]).packed
            + struct.pack("!H", address[1])
        )


@contextlib.contextmanager
def relay(target: Address) -> Iterator[KnxRelay]:
    """``with relay(("127.0.0.1", 3671)) as r:`` — started and stopped around the block."""
    r = KnxRelay(target)
    r.start()
    try:
        yield r
    finally:
        r.stop()
