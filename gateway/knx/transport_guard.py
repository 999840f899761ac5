"""KNXnet/IP tunnelling over UDP that only believes the server it is connected to.

Why: xknx's UDP tunnel hands every datagram on its socket to the tunnel, whoever sent it,
and checks only the sequence counter of a ``TUNNELLING_REQUEST``, not its channel. A forged
request from any host on the LAN (right sequence number, a guessable one-byte channel) was
taken as a bus telegram - a Thinknx status showed a lamp on that was off - and acknowledged,
so the server's real frame with that number was then discarded as a repeat: the tunnel was
out of step. A forged ``DISCONNECT_REQUEST`` or ``TUNNELLING_ACK`` does similar harm.

Here, without changing xknx:

* :class:`GuardedUDPTransport` (a :class:`~xknx.io.transport.UDPTransport`) drops every
  datagram that does not come from the server: its control endpoint (the configured address,
  resolved once per connect, and port) or the data endpoint it gave in ``CONNECT_RESPONSE``;
* :class:`GuardedUDPTunnel` (a :class:`~xknx.io.tunnel.UDPTunnel`) also drops a
  ``TUNNELLING_REQUEST`` for another channel, or whose sequence number is neither the expected
  one nor a repeat of the last (the server repeats an unacknowledged frame, then disconnects:
  KNXnet/IP's own recovery, rather than ours on a stranger's word).

Each drop is counted by reason (:attr:`GuardedUDPTunnel.dropped`) and logged (the log folds
floods, ``gateway.logsetup``). :func:`install` makes xknx build its UDP tunnels from this
class; it is called by ``KnxLink.start``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import Counter
from collections.abc import Callable

import xknx.io.knxip_interface as knxip_interface
from xknx.io.transport.udp_transport import UDPTransport
from xknx.io.tunnel import UDPTunnel
from xknx.knxip import HPAI, KNXIPFrame, TunnellingRequest
from xknx.knxip.knxip_enum import KNXIPServiceType

log = logging.getLogger(__name__)

Address = tuple[str, int]


class GuardedUDPTransport(UDPTransport):
    """A unicast UDP transport that ignores datagrams from anyone but the server."""

    def __init__(
        self,
        local_addr: Address,
        remote_addr: Address,
        *,
        data_endpoint: Callable[[], Address | None],
        on_drop: Callable[[str, Address, bytes], None],
    ) -> None:
        super().__init__(local_addr=local_addr, remote_addr=remote_addr, multicast=False)
        self._data_endpoint = data_endpoint
        self._on_drop = on_drop
        self._server_hosts: frozenset[str] = frozenset({remote_addr[0]})

    async def connect(self) -> None:
        host, port = self.remote_addr
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except OSError:
            infos = []  # connect() below reports the real problem
        self._server_hosts = frozenset({host, *(str(info[4][0]) for info in infos)})
        await super().connect()

    def from_server(self, source: Address) -> bool:
        host, port = source[0], source[1]
        if host in self._server_hosts and port == self.remote_addr[1]:
            return True
        data = self._data_endpoint()
        return data is not None and (host, port) == (data[0], data[1])

    def data_received_callback(self, raw: bytes, source: Address) -> None:
        if not self.from_server(source):
            self._on_drop("foreign source", source, raw)
            return
        super().data_received_callback(raw, source)


class GuardedUDPTunnel(UDPTunnel):
    """xknx's UDP tunnel on a :class:`GuardedUDPTransport`, checking channel and sequence."""

    dropped: Counter[str]

    def _init_transport(self) -> None:
        self.dropped = Counter()
        self.transport = GuardedUDPTransport(
            local_addr=(self.local_ip, self.local_port),
            remote_addr=(self.gateway_ip, self.gateway_port),
            data_endpoint=lambda: self._data_endpoint_addr,
            on_drop=self._drop,
        )

    def _request_received(self, knxipframe: KNXIPFrame, source: HPAI, _transport: object) -> None:
        body = knxipframe.body
        if isinstance(body, TunnellingRequest):
            if body.communication_channel_id != self.communication_channel:
                self._drop("wrong channel", source.addr_tuple, knxipframe.to_knx())
                return
            expected = self._sequence.expected
            if body.sequence_counter not in (expected, (expected - 1) & 0xFF):
                self._drop("wrong sequence", source.addr_tuple, knxipframe.to_knx())
                return
        super()._request_received(knxipframe, source, _transport)  # type: ignore[arg-type]

    def _drop(self, reason: str, source: Address, raw: bytes) -> None:
        self.dropped[reason] += 1
        service = _service_name(raw)
        log.warning(
            "event=knx_datagram_dropped reason=%s source=%s:%s service=%s dropped=%d",
            reason.replace(" ", "_"),
            source[0],
            source[1],
            service,
            self.dropped[reason],
        )


def _service_name(raw: bytes) -> str:
    if len(raw) < 4:
        return "short"
    try:
        return KNXIPServiceType(int.from_bytes(raw[2:4], "big")).name
    except ValueError:
        return f"0x{raw[2:4].hex()}"


def install() -> None:
    """Make xknx build its UDP tunnels as :class:`GuardedUDPTunnel` (idempotent)."""
    # KNXIPInterface looks the class up in its module when it starts a UDP tunnel.
    vars(knxip_interface)["UDPTunnel"] = GuardedUDPTunnel
