"""The tunnelling server's plain state: its options, each client's connection, and the
peer a connection answers through.

Why apart from the handlers: the transports (``server.py``), the handlers
(``tunnelling.py``) and the outbound delivery (``delivery.py``) all read and write these
dataclasses; keeping them free of protocol logic lets each of those be read on its own.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Literal, Protocol

from xknx.knxip import ErrorCode, KNXIPBody
from xknx.telegram import IndividualAddress


class Peer(Protocol):
    """Where a frame came from and how to answer: a UDP socket or a TCP stream."""

    kind: Literal["udp", "tcp"]
    source: tuple[str, int]

    def send(self, body: KNXIPBody, addr: tuple[str, int] | None = None) -> None:
        """Send a frame (to ``addr`` for UDP; the stream ignores it)."""


def is_loopback(addr: tuple[str, int]) -> bool:
    """The emulator never sends anywhere but loopback, whatever a frame's HPAI says."""
    try:
        return ipaddress.ip_address(addr[0]).is_loopback
    except ValueError:
        return False


@dataclass(eq=False)
class TunnelConnection:
    """One client's tunnel: channel, address, endpoints, sequence counters, outbox."""

    channel: int
    individual_address: IndividualAddress
    peer: Peer
    control_addr: tuple[str, int]
    data_addr: tuple[str, int]
    last_seen: float
    rx_expected: int = 0
    tx_sequence: int = 0
    outbox: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)
    pending_ack: dict[int, asyncio.Future[ErrorCode]] = field(default_factory=dict)
    pump: asyncio.Task[None] | None = None
    frames_in: int = 0
    frames_out: int = 0

    @property
    def origin(self) -> str:
        return f"tunnel:{self.channel}"


@dataclass
class ServerOptions:
    """Identity and fault knobs of the server; tests flip the knobs at run time."""

    individual_address: str = "1.1.250"
    first_client_address: str = "1.1.240"
    max_connections: int = 8
    heartbeat_timeout: float = 120.0
    name: str = "gateway KNX emulator"
    tcp: bool = False
    refuse_connections: bool = False
    send_confirmations: bool = True
    confirm_delay: float = 0.0
    ack_requests: bool = True
