"""KnxEmulator: the KNXnet/IP tunnelling server on loopback, with its bus and devices.

Transports only move bytes: UDP datagrams and TCP streams are parsed into xknx frames and
handed to :class:`~.tunnelling.TunnellingServer`; the answers go back the same way. The
emulator also carries the fault controls tests need: go silent (answer nothing, like a
pulled cable), refuse connections, restart on the same port, disconnect every client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from xknx.exceptions import ConversionError, CouldNotParseKNXIP, IncompleteKNXIPFrame
from xknx.knxip import KNXIPBody, KNXIPFrame
from xknx.telegram import GroupAddress, IndividualAddress, Telegram
from xknx.telegram.apci import APCI, GroupValueRead, GroupValueResponse, GroupValueWrite

from .bus import Bus, BusTelegram, Payload, TelegramKind
from .devices import Device, ensure_payload
from .tunnel_state import ServerOptions, TunnelConnection, is_loopback
from .tunnelling import TunnellingServer

log = logging.getLogger(__name__)

_FRAME_ERRORS = (CouldNotParseKNXIP, ConversionError, ValueError, IndexError)


@dataclass(frozen=True)
class ConnectionInfo:
    """A connected client, for tests and the CLI's status line."""

    channel: int
    individual_address: str
    transport: Literal["udp", "tcp"]
    frames_in: int
    frames_out: int


class _UdpPeer:
    """Answers go out of the server's one UDP socket."""

    kind: Literal["udp", "tcp"] = "udp"

    def __init__(self, emulator: KnxEmulator, source: tuple[str, int]) -> None:
        self._emulator = emulator
        self.source = source

    def send(self, body: KNXIPBody, addr: tuple[str, int] | None = None) -> None:
        self._emulator.send_udp(body, addr or self.source)


class _TcpPeer:
    """Answers go back down the client's stream."""

    kind: Literal["udp", "tcp"] = "tcp"

    def __init__(self, emulator: KnxEmulator, transport: asyncio.Transport) -> None:
        self._emulator = emulator
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.source: tuple[str, int] = (peer[0], peer[1])

    def send(self, body: KNXIPBody, addr: tuple[str, int] | None = None) -> None:
        if self._emulator.silent or self.transport.is_closing():
            return
        self.transport.write(KNXIPFrame.init_from_body(body).to_knx())


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, emulator: KnxEmulator) -> None:
        self._emulator = emulator

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._emulator.received_udp(data, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("udp error: %s", exc)


class _TcpProtocol(asyncio.Protocol):
    """One TCP client: frames are cut out of the stream by their header's total length."""

    def __init__(self, emulator: KnxEmulator) -> None:
        self._emulator = emulator
        self._buffer = b""
        self.peer: _TcpPeer | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.peer = _TcpPeer(self._emulator, transport)
        self._emulator.tcp_clients.add(self)

    def data_received(self, data: bytes) -> None:
        if self.peer is None or self._emulator.silent:
            return
        self._buffer += data
        while self._buffer:
            try:
                frame, rest = KNXIPFrame.from_knx(self._buffer)
            except IncompleteKNXIPFrame:
                return
            except _FRAME_ERRORS:
                # No way to find the next frame boundary in a corrupt stream: hang up, as a
                # KNX IP interface does. Nothing else changes.
                self._emulator.bad_frames += 1
                self.peer.transport.close()
                return
            self._buffer = rest
            self._emulator.server.handle(frame, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        self._emulator.tcp_clients.discard(self)
        for conn in list(self._emulator.server.connections.values()):
            if conn.peer is self.peer:
                self._emulator.server.drop(conn, notify=False)


class KnxEmulator:
    """A KNX IP interface with a simulated installation behind it, on 127.0.0.1."""

    def __init__(
        self,
        devices: Iterable[Device] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tcp: bool = False,
        options: ServerOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not is_loopback((host, 0)):
            raise ValueError(f"the KNX emulator only listens on loopback, not {host!r}")
        self.host = host
        self.port = port
        self.options = options or ServerOptions()
        self.options.tcp = tcp
        self.bus = Bus(clock)
        self.server = TunnellingServer(self.bus, self.options, self._endpoint, clock)
        self.silent = False
        self.bad_frames = 0
        self.blocked_sends = 0  # frames not sent because they were addressed off loopback
        self.tcp_clients: set[_TcpProtocol] = set()
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._timers: set[asyncio.TimerHandle] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self.devices: dict[str, Device] = {}
        for device in devices or ():
            self.add_device(device)

    # --- configuration ----------------------------------------------------------------------

    @property
    def tcp(self) -> bool:
        """Whether the emulator also serves KNXnet/IP over TCP on the same port."""
        return self.options.tcp

    def add_device(self, device: Device) -> None:
        """Put a simulated device on the line."""
        if device.name in self.devices:
            raise ValueError(f"duplicate device name {device.name!r}")
        self.devices[device.name] = device
        device.bind(self)
        self.bus.attach(device)
        if self.running:
            device.activate()

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._udp is not None

    async def start(self) -> None:
        """Listen on UDP (and TCP); port 0 picks a free port shared by both."""
        if self.running:
            return
        loop = asyncio.get_running_loop()
        for attempt in range(20):
            udp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp_sock.bind((self.host, self.port))
            port = udp_sock.getsockname()[1]
            if self.tcp:
                try:
                    self._tcp = await loop.create_server(
                        lambda: _TcpProtocol(self), self.host, port, reuse_address=True
                    )
                except OSError:
                    udp_sock.close()
                    if self.port or attempt == 19:
                        raise
                    continue  # the UDP port's TCP twin is taken: try another free port
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), sock=udp_sock
            )
            self._udp = transport
            self.port = port
            break
        self._sweeper = loop.create_task(self._sweep(), name="knx-emulator-heartbeat")
        for device in self.devices.values():
            device.activate()
        log.info("KNX emulator listening on %s:%s (udp%s)", self.host, self.port,
                 "+tcp" if self.tcp else "")  # fmt: skip

    async def stop(self) -> None:
        """Stop listening and forget every client without telling them (a power cut)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for device in self.devices.values():
            device.deactivate()
        self.server.close_all(notify=False)
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            for client in list(self.tcp_clients):
                if client.peer is not None:
                    client.peer.transport.abort()
            await self._tcp.wait_closed()
            self._tcp = None
        await asyncio.sleep(0)  # let the transports' close callbacks run

    async def restart(self) -> None:
        """Stop and start again on the same port (clients must reconnect)."""
        await self.stop()
        await self.start()

    async def disconnect_clients(self) -> None:
        """Tell every client the server closes its tunnel (DISCONNECT_REQUEST)."""
        self.server.close_all(notify=True)
        await asyncio.sleep(0)

    def go_silent(self) -> None:
        """Stop answering anything, keeping all state: a tunnel that silently died."""
        self.silent = True

    def resume(self) -> None:
        """Answer again after :meth:`go_silent`."""
        self.silent = False

    @property
    def refuse_connections(self) -> bool:
        """When True, CONNECT_REQUESTs are answered with E_NO_MORE_CONNECTIONS."""
        return self.options.refuse_connections

    @refuse_connections.setter
    def refuse_connections(self, value: bool) -> None:
        self.options.refuse_connections = value

    @property
    def connections(self) -> list[ConnectionInfo]:
        """The tunnels open right now."""
        return [_info(conn) for conn in self.server.connections.values()]

    # --- the bus, for tests -----------------------------------------------------------------

    @property
    def bus_log(self) -> list[BusTelegram]:
        """Every telegram the line carried, oldest first."""
        return self.bus.log

    async def wait_for_telegram(
        self, pred: Callable[[BusTelegram], bool], timeout: float = 2.0, since: int = 0
    ) -> BusTelegram:
        """First telegram (log index >= ``since``) matching ``pred``; TimeoutError otherwise."""
        return await self.bus.wait_for(pred, within=timeout, since=since)

    def inject(
        self,
        ga: str,
        payload: Payload | None = None,
        kind: TelegramKind = "write",
        source: str = "1.1.99",
    ) -> BusTelegram:
        """Put a telegram on the line as if a device at ``source`` had sent it."""
        apci = _apci(kind, payload)
        telegram = Telegram(
            destination_address=GroupAddress(ga),
            source_address=IndividualAddress(source),
            payload=apci,
        )
        return self.bus.put(telegram, origin="inject")

    def inject_raw_cemi(self, raw_cemi: bytes) -> None:
        """Send arbitrary cEMI bytes to every client (malformed-frame tests)."""
        self.server.broadcast_cemi(raw_cemi)

    def send_raw_datagram(self, data: bytes) -> None:
        """Send arbitrary bytes to every UDP client's data endpoint (malformed KNXnet/IP)."""
        if self._udp is None or self.silent:
            return
        for conn in self.server.connections.values():
            if conn.peer.kind == "udp" and is_loopback(conn.data_addr):
                self._udp.sendto(data, conn.data_addr)

    # --- DeviceHost -------------------------------------------------------------------------

    def send_from(
        self, device: Device, ga: str, kind: TelegramKind, payload: Payload, delay: float
    ) -> None:
        """Put a telegram from ``device`` on the line after ``delay`` seconds."""
        telegram = Telegram(
            destination_address=GroupAddress(ga),
            source_address=IndividualAddress(device.address),
            payload=_apci(kind, payload),
        )
        if delay <= 0:
            self.bus.put(telegram, origin=f"device:{device.name}", sender=device)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            self.bus.put(telegram, origin=f"device:{device.name}", sender=device)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    # --- transport glue -------------------------------------------------------------------

    def received_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        """One datagram: parse and dispatch; garbage is counted and ignored."""
        if self.silent:
            return
        try:
            frame, _rest = KNXIPFrame.from_knx(data)
        except (*_FRAME_ERRORS, IncompleteKNXIPFrame):
            self.bad_frames += 1
            return
        self.server.handle(frame, _UdpPeer(self, addr))

    def send_udp(self, body: KNXIPBody, addr: tuple[str, int]) -> None:
        """Send a frame from the server socket, to loopback only, unless silent."""
        if self.silent or self._udp is None:
            return
        if not is_loopback(addr):
            self.blocked_sends += 1
            return
        self._udp.sendto(KNXIPFrame.init_from_body(body).to_knx(), addr)

    def _endpoint(self) -> tuple[str, int]:
        return self.host, self.port

    async def _sweep(self) -> None:
        interval = max(0.05, min(1.0, self.options.heartbeat_timeout / 4))
        while True:
            await asyncio.sleep(interval)
            if not self.silent:
                self.server.expire()


def _apci(kind: TelegramKind, payload: Payload | None) -> APCI:
    if kind == "read":
        return GroupValueRead()
    value = ensure_payload(payload)
    if kind == "response":
        return GroupValueResponse(value)
    if kind == "write":
        return GroupValueWrite(value)
    raise ValueError(f"cannot send a {kind!r} telegram")


def _info(conn: TunnelConnection) -> ConnectionInfo:
    return ConnectionInfo(
        channel=conn.channel,
        individual_address=str(conn.individual_address),
        transport=conn.peer.kind,
        frames_in=conn.frames_in,
        frames_out=conn.frames_out,
    )
