"""KNXnet/IP tunnelling server logic: one handler per service type, no sockets.

The transports in ``server.py`` parse datagrams/streams into xknx ``KNXIPFrame`` objects and
call :meth:`TunnellingServer.handle` with a :class:`Peer` to answer through. Connection
state lives in :class:`TunnelConnection` dataclasses (``tunnel_state.py``); who may connect
is ``admission.py``, what we say we are ``identity.py``, and the ordered, acknowledged
delivery of our own frames ``delivery.py``. What a real KNX IP interface does and
we do too (KNX 03.08.02 Core, 03.08.04 Tunnelling):

* CONNECT assigns a channel and an individual address from a pool (E_NO_MORE_CONNECTIONS
  when full); an extended CRI may ask for a specific address (E_NO_MORE_UNIQUE_CONNECTIONS
  when that one is taken or not ours).
* CONNECTIONSTATE answers E_CONNECTION_ID for an unknown channel; a channel that has not
  been heard of for ``heartbeat_timeout`` seconds is dropped.
* TUNNELLING_REQUEST over UDP is acknowledged per sequence counter: the expected one is
  acked and processed, a repeat (expected - 1) is acked and discarded, anything else is
  discarded without ack. An L_Data.req goes onto the bus and is confirmed with L_Data.con
  to its sender; everything on the bus reaches the other clients as L_Data.ind.
* Frames we send over UDP wait for TUNNELLING_ACK (1 s), are repeated once, and the
  connection is dropped with a DISCONNECT_REQUEST when neither is acked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import ClassVar

from xknx.cemi.cemi_frame import CEMIFrame, CEMILData
from xknx.cemi.const import CEMIMessageCode
from xknx.exceptions import ConversionError, CouldNotParseCEMI, UnsupportedCEMIMessage
from xknx.knxip import (
    HPAI,
    ConnectionStateRequest,
    ConnectionStateResponse,
    ConnectRequest,
    ConnectResponse,
    ConnectResponseData,
    DescriptionRequest,
    DescriptionResponse,
    DisconnectRequest,
    DisconnectResponse,
    ErrorCode,
    HostProtocol,
    KNXIPBody,
    KNXIPFrame,
    KNXIPServiceType,
    SearchRequest,
    SearchResponse,
    TunnellingAck,
    TunnellingRequest,
)

from .admission import ConnectErrorResponse, admit
from .bus import Bus, BusTelegram
from .delivery import deliver_outbox
from .identity import description_blocks
from .tunnel_state import Peer, ServerOptions, TunnelConnection

log = logging.getLogger(__name__)


class TunnellingServer:
    """Tunnelling state machine over a :class:`Bus`; transports call :meth:`handle`."""

    HANDLERS: ClassVar[dict[KNXIPServiceType, str]] = {
        KNXIPServiceType.SEARCH_REQUEST: "_on_search",
        KNXIPServiceType.DESCRIPTION_REQUEST: "_on_description",
        KNXIPServiceType.CONNECT_REQUEST: "_on_connect",
        KNXIPServiceType.CONNECTIONSTATE_REQUEST: "_on_connectionstate",
        KNXIPServiceType.DISCONNECT_REQUEST: "_on_disconnect_request",
        KNXIPServiceType.DISCONNECT_RESPONSE: "_on_disconnect_response",
        KNXIPServiceType.TUNNELLING_REQUEST: "_on_tunnelling_request",
        KNXIPServiceType.TUNNELLING_ACK: "_on_tunnelling_ack",
    }

    def __init__(
        self,
        bus: Bus,
        options: ServerOptions,
        endpoint: Callable[[], tuple[str, int]],
        clock: Callable[[], float],
    ) -> None:
        self.bus = bus
        self.options = options
        self._endpoint = endpoint
        self._clock = clock
        self.connections: dict[int, TunnelConnection] = {}
        self.unhandled_frames = 0
        self.bad_cemi = 0
        self.connect_requests: list[float] = []  # when each CONNECT_REQUEST arrived
        bus.attach(self)

    # --- entry points -----------------------------------------------------------------------

    def handle(self, frame: KNXIPFrame, peer: Peer) -> None:
        """Dispatch one parsed frame to its handler; unknown services are counted, ignored."""
        name = self.HANDLERS.get(frame.header.service_type_ident)
        if name is None:
            self.unhandled_frames += 1
            return
        getattr(self, name)(frame.body, peer)

    def on_telegram(self, telegram: BusTelegram) -> None:
        """Bus listener: every telegram reaches every client but the one that sent it."""
        if not self.connections:
            return
        cemi = CEMIFrame(
            code=CEMIMessageCode.L_DATA_IND,
            data=CEMILData.init_from_telegram(telegram.telegram),
        ).to_knx()
        for conn in list(self.connections.values()):
            if conn.origin != telegram.origin:
                self.queue_cemi(conn, cemi)

    def queue_cemi(self, conn: TunnelConnection, raw_cemi: bytes) -> None:
        """Send a cEMI frame to one client in order (UDP: one unacked frame at a time)."""
        conn.outbox.put_nowait(raw_cemi)

    def broadcast_cemi(self, raw_cemi: bytes) -> None:
        """Send raw cEMI bytes to every client (tests use it to deliver malformed frames)."""
        for conn in list(self.connections.values()):
            self.queue_cemi(conn, raw_cemi)

    def expire(self) -> None:
        """Drop connections whose client went quiet for longer than the heartbeat timeout."""
        deadline = self._clock() - self.options.heartbeat_timeout
        for conn in list(self.connections.values()):
            if conn.last_seen < deadline:
                log.info("channel=%s expired (no heartbeat)", conn.channel)
                self.drop(conn, notify=True)

    def drop(self, conn: TunnelConnection, *, notify: bool) -> None:
        """Forget a connection; with ``notify`` tell the client (DISCONNECT_REQUEST)."""
        if self.connections.pop(conn.channel, None) is None:
            return
        if conn.pump is not None and conn.pump is not asyncio.current_task():
            conn.pump.cancel()
        for future in conn.pending_ack.values():
            if not future.done():
                future.cancel()
        if notify:
            host, port = self._endpoint()
            control = HPAI(host, port, self._protocol(conn.peer))
            body = DisconnectRequest(
                communication_channel_id=conn.channel, control_endpoint=control
            )
            self._send(conn.peer, body, conn.control_addr)

    def close_all(self, *, notify: bool) -> None:
        """Drop every connection (server stop or restart)."""
        for conn in list(self.connections.values()):
            self.drop(conn, notify=notify)

    # --- discovery --------------------------------------------------------------------------

    def _on_search(self, body: SearchRequest, peer: Peer) -> None:
        host, port = self._endpoint()
        response = SearchResponse(control_endpoint=HPAI(host, port))
        response.dibs = description_blocks(self.options)
        self._send(peer, response, self._reply_addr(body.discovery_endpoint, peer))

    def _on_description(self, body: DescriptionRequest, peer: Peer) -> None:
        response = DescriptionResponse()
        response.dibs = description_blocks(self.options)
        self._send(peer, response, self._reply_addr(body.control_endpoint, peer))

    # --- connection management ------------------------------------------------------------

    def _on_connect(self, body: ConnectRequest, peer: Peer) -> None:
        self.connect_requests.append(self._clock())
        reply_to = self._reply_addr(body.control_endpoint, peer)
        status, address = admit(body, self.options, self.connections.values())
        if status is not ErrorCode.E_NO_ERROR or address is None:
            self._send(peer, ConnectErrorResponse(status_code=status), reply_to)
            return
        channel = next(c for c in range(1, 256) if c not in self.connections)
        conn = TunnelConnection(
            channel=channel,
            individual_address=address,
            peer=peer,
            control_addr=reply_to,
            data_addr=self._reply_addr(body.data_endpoint, peer),
            last_seen=self._clock(),
        )
        self.connections[channel] = conn
        conn.pump = asyncio.get_running_loop().create_task(
            deliver_outbox(conn, self._give_up), name=f"knx-emulator-channel-{channel}"
        )
        host, port = self._endpoint()
        response = ConnectResponse(
            communication_channel=channel,
            data_endpoint=HPAI(host, port, self._protocol(peer)),
            crd=ConnectResponseData(individual_address=address),
        )
        self._send(peer, response, reply_to)
        log.info("channel=%s connected address=%s via %s", channel, address, peer.kind)

    def _on_connectionstate(self, body: ConnectionStateRequest, peer: Peer) -> None:
        conn = self._connection(body.communication_channel_id, peer)
        status = ErrorCode.E_NO_ERROR if conn is not None else ErrorCode.E_CONNECTION_ID
        if conn is not None:
            conn.last_seen = self._clock()
        reply = ConnectionStateResponse(
            communication_channel_id=body.communication_channel_id, status_code=status
        )
        self._send(peer, reply, self._reply_addr(body.control_endpoint, peer))

    def _on_disconnect_request(self, body: DisconnectRequest, peer: Peer) -> None:
        conn = self._connection(body.communication_channel_id, peer)
        status = ErrorCode.E_NO_ERROR if conn is not None else ErrorCode.E_CONNECTION_ID
        if conn is not None:
            self.drop(conn, notify=False)
            log.info("channel=%s disconnected by client", conn.channel)
        reply = DisconnectResponse(
            communication_channel_id=body.communication_channel_id, status_code=status
        )
        self._send(peer, reply, self._reply_addr(body.control_endpoint, peer))

    def _on_disconnect_response(self, body: DisconnectResponse, peer: Peer) -> None:
        """The answer to our DISCONNECT_REQUEST; the connection is already gone."""

    # --- tunnelling -------------------------------------------------------------------------

    def _on_tunnelling_request(self, body: TunnellingRequest, peer: Peer) -> None:
        conn = self._connection(body.communication_channel_id, peer)
        if conn is None:
            if peer.kind == "udp":
                ack = TunnellingAck(
                    communication_channel_id=body.communication_channel_id,
                    sequence_counter=body.sequence_counter,
                    status_code=ErrorCode.E_CONNECTION_ID,
                )
                self._send(peer, ack, peer.source)
            return
        conn.last_seen = self._clock()
        if peer.kind == "udp":
            if body.sequence_counter == (conn.rx_expected - 1) & 0xFF:
                self._ack(conn, body.sequence_counter)  # repeat: our ack was lost
                return
            if body.sequence_counter != conn.rx_expected:
                return  # out of order: discard without ack, the client repeats or gives up
            if not self.options.ack_requests:
                return
            self._ack(conn, body.sequence_counter)
            conn.rx_expected = (conn.rx_expected + 1) & 0xFF
        conn.frames_in += 1
        self._process_cemi(conn, body.raw_cemi)

    def _ack(self, conn: TunnelConnection, sequence: int) -> None:
        ack = TunnellingAck(communication_channel_id=conn.channel, sequence_counter=sequence)
        self._send(conn.peer, ack, conn.data_addr)

    def _process_cemi(self, conn: TunnelConnection, raw: bytes) -> None:
        try:
            cemi = CEMIFrame.from_knx(raw)
        except (CouldNotParseCEMI, UnsupportedCEMIMessage, ConversionError, IndexError) as exc:
            self.bad_cemi += 1
            log.info("channel=%s bad cEMI ignored: %s", conn.channel, exc)
            return
        if cemi.code is not CEMIMessageCode.L_DATA_REQ or not isinstance(cemi.data, CEMILData):
            self.bad_cemi += 1
            return
        data = cemi.data
        if data.src_addr.raw == 0:
            data.src_addr = conn.individual_address
        self.bus.put(data.telegram(), origin=conn.origin, sender=None)
        if self.options.send_confirmations:
            confirmation = CEMIFrame(code=CEMIMessageCode.L_DATA_CON, data=data).to_knx()
            delay = self.options.confirm_delay
            if delay > 0:
                asyncio.get_running_loop().call_later(
                    delay, self._confirm_later, conn, confirmation
                )
            else:
                self.queue_cemi(conn, confirmation)

    def _confirm_later(self, conn: TunnelConnection, confirmation: bytes) -> None:
        if conn.channel in self.connections:
            self.queue_cemi(conn, confirmation)

    def _on_tunnelling_ack(self, body: TunnellingAck, peer: Peer) -> None:
        conn = self._connection(body.communication_channel_id, peer)
        if conn is None:
            return
        future = conn.pending_ack.get(body.sequence_counter)
        if future is not None and not future.done():
            future.set_result(body.status_code)

    def _give_up(self, conn: TunnelConnection) -> None:
        """The client acknowledged neither try of a frame: drop it and tell it so."""
        self.drop(conn, notify=True)

    # --- helpers ----------------------------------------------------------------------------

    def _connection(self, channel: int, peer: Peer) -> TunnelConnection | None:
        """The connection for ``channel`` if ``peer`` may speak for it (TCP: same stream)."""
        conn = self.connections.get(channel)
        if conn is None or (peer.kind == "tcp" and conn.peer is not peer):
            return None
        return conn

    @staticmethod
    def _protocol(peer: Peer) -> HostProtocol:
        return HostProtocol.IPV4_TCP if peer.kind == "tcp" else HostProtocol.IPV4_UDP

    @staticmethod
    def _reply_addr(hpai: HPAI, peer: Peer) -> tuple[str, int]:
        """The HPAI's address, or the packet's source for route-back / NAT / TCP (0.0.0.0:0)."""
        if peer.kind == "tcp" or hpai.route_back:
            return peer.source
        return hpai.addr_tuple

    def _send(self, peer: Peer, body: KNXIPBody, addr: tuple[str, int] | None = None) -> None:
        peer.send(body, addr)
