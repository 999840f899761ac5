"""KnxLink: the gateway's one connection to the KNX bus, over xknx.

xknx does the protocol: KNXnet/IP frames, tunnel connect/disconnect, cEMI, DPT transcoders.
What it lacks for a gateway that must keep answering HTTP is wrapped here:

* **Start never blocks, and never gives up.** xknx raises when the first connect fails and
  only reconnects after a first success. :meth:`KnxLink.start` returns at once; the
  :class:`~gateway.knx.reconnect.TunnelKeeper` connects, and reconnects after any loss,
  paced by the :class:`~gateway.knx.reconnect.RetryPacer` (``reconnect.py``: 1.5 s while
  the interface is silent, back-off to 10 s while it refuses).
* **Loss is noticed within seconds.** xknx's heartbeat needs ~110 s to notice a silent
  tunnel. The keeper probes the tunnel every ``probe_interval`` (see ``probe.py``) and
  also listens to xknx's own state changes (server DISCONNECT, TCP close, unacked sends).
* **Every send and read is bounded.** A send waits at most ``request_timeout``; while the
  link is not connected it fails at once with :class:`KnxUnavailable`.

One owner for reconnecting: xknx's own auto-reconnect is switched off (``reconnect.py``
says why); xknx reports every loss as DISCONNECTED and the keeper reconnects.

States::

    STOPPED --start()--> CONNECTING --connected--> CONNECTED --loss--> LOST --connected--> ...
       ^                     | (retry)                                  | (retry)
       +------stop()---------+------------------------------------------+
    (retries paced by reconnect.RetryPacer)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from xknx import XKNX
from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.telegram import GroupAddress, Telegram, TelegramDirection
from xknx.telegram.apci import GroupValueRead, GroupValueResponse, GroupValueWrite

from ..settings import KnxSection
from . import dpt as dpt_codec
from . import transport_guard
from .addresses import canonical, parse_group_address
from .errors import KnxTimeout, KnxUnavailable
from .events import EventHub, GroupEvent, Subscription
from .probe import loss_detection_bound
from .reconnect import RetryPacer, TunnelKeeper, connection_config
from .sender import Sender

__all__ = [
    "GroupEvent",
    "KnxLink",
    "KnxTimeout",
    "KnxUnavailable",
    "LinkCounters",
    "LinkState",
    "Subscription",
]

log = logging.getLogger(__name__)


class LinkState(StrEnum):
    """Where the link is; see the module docstring for the transitions."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LOST = "lost"


@dataclass(frozen=True)
class LinkCounters:
    """Counts for status pages; they start at zero with the link, not per connection."""

    sent: int
    received: int
    send_failures: int
    connects: int
    losses: int
    dropped_events: int


class KnxLink:
    """The KNX connection: state, supervised reconnects, bounded sends, reads and events."""

    def __init__(
        self,
        settings: KnxSection,
        *,
        clock: Callable[[], float] = time.monotonic,
        pacer: RetryPacer | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._pacer = pacer
        self._config = None if settings.mode == "none" else connection_config(settings)
        self._state = LinkState.STOPPED
        self._state_changed = asyncio.Event()
        # Set whenever the link is not CONNECTED: a read waiting for its answer ends at
        # once when the link goes down instead of waiting out its time-out.
        self._down = asyncio.Event()
        self._down.set()
        self.last_error: str | None = None
        self._connected_since: datetime | None = None
        self._xknx: XKNX | None = None
        self._keeper: TunnelKeeper | None = None
        self._hub = EventHub()
        self._sender = Sender(
            self._send_now,
            rate_limit=settings.rate_limit,
            clock=clock,
            is_up=lambda: self.connected,
            describe_down=self._describe_down,
        )
        self._received = 0
        self._connects = 0
        self._losses = 0

    # --- status ---------------------------------------------------------------------------

    @property
    def state(self) -> LinkState:
        """Current :class:`LinkState`."""
        return self._state

    @property
    def connected(self) -> bool:
        """True while telegrams can be sent."""
        return self._state is LinkState.CONNECTED

    @property
    def connected_since(self) -> datetime | None:
        """UTC time of the current connection, None while not connected."""
        return self._connected_since

    @property
    def individual_address(self) -> str | None:
        """Our address on the bus (assigned by the tunnel server), while connected."""
        if self._xknx is None or not self.connected:
            return None
        return str(self._xknx.current_address)

    @property
    def loss_detection_bound(self) -> float:
        """Seconds within which a silent tunnel is reported lost with these settings."""
        return loss_detection_bound(self.settings.probe_interval)

    @property
    def counters(self) -> LinkCounters:
        """Counters for status pages."""
        return LinkCounters(
            sent=self._sender.sent,
            received=self._received,
            send_failures=self._sender.failed,
            connects=self._connects,
            losses=self._losses,
            dropped_events=self._hub.dropped,
        )

    @property
    def supervising(self) -> bool:
        """True from start() to stop() unless the supervisor died of a bug (see the log)."""
        return self._keeper is not None and self._keeper.running

    @property
    def xknx(self) -> XKNX | None:
        """The xknx instance, for code that needs xknx devices; do not send through it."""
        return self._xknx

    async def wait_for_state(self, state: LinkState, within: float) -> None:
        """Wait until the link is in ``state``; :class:`KnxTimeout` otherwise (tests, startup)."""
        try:
            async with asyncio.timeout(within):
                while self._state is not state:
                    self._state_changed.clear()
                    await self._state_changed.wait()
        except TimeoutError:
            raise KnxTimeout(f"KNX link still {self._state} after {within:g} s") from None

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Begin connecting in the background and return at once."""
        if self._keeper is not None:
            return
        if self._config is None:
            self.last_error = "KNX is disabled (knx.mode = none)"
            return
        transport_guard.install()  # UDP tunnels believe only their server (issue 12)
        self._xknx = XKNX(connection_config=self._config, rate_limit=0)
        self._xknx.telegram_queue.register_telegram_received_cb(
            self._telegram_seen, match_for_outgoing=True
        )
        self._sender.start()
        self._set_state(LinkState.CONNECTING)
        self._keeper = TunnelKeeper(
            self._xknx,
            self,
            probe_interval=self.settings.probe_interval,
            pacer=self._pacer,
            clock=self._clock,
        )
        self._keeper.start()

    async def stop(self) -> None:
        """Disconnect and stop every task; sends fail with :class:`KnxUnavailable` afterwards."""
        keeper, self._keeper = self._keeper, None
        await self._sender.stop()
        self._set_state(LinkState.STOPPED)
        if keeper is not None:
            await keeper.stop()

    # --- sending --------------------------------------------------------------------------

    async def write(self, group_address: str, dpt: str, value: float | int | bool) -> None:
        """GroupValueWrite of ``value`` encoded as ``dpt``.

        Raises ``DptValueError``/``KnxAddressError`` (bad input, nothing sent),
        :class:`KnxUnavailable` (link down), :class:`KnxTimeout` (not confirmed in time).
        """
        payload = dpt_codec.encode(dpt, value)
        await self.write_raw(group_address, payload)

    async def write_raw(self, group_address: str, payload: DPTBinary | DPTArray) -> None:
        """GroupValueWrite of an already encoded payload."""
        if not isinstance(payload, DPTBinary | DPTArray):
            raise TypeError(f"payload must be DPTBinary or DPTArray, got {payload!r}")
        address = parse_group_address(group_address)
        await self._send(Telegram(destination_address=address, payload=GroupValueWrite(payload)))

    async def respond_raw(self, group_address: str, payload: DPTBinary | DPTArray) -> None:
        """GroupValueResponse (for a gateway that owns a group object and is read)."""
        address = parse_group_address(group_address)
        await self._send(Telegram(destination_address=address, payload=GroupValueResponse(payload)))

    async def read(self, group_address: str) -> GroupEvent:
        """GroupValueRead, then wait for the GroupValueResponse from another device.

        The whole exchange is bounded by ``request_timeout``; the response also lands in
        :meth:`last_event`. Raises :class:`KnxTimeout` when nobody answers in time and
        :class:`KnxUnavailable` as soon as the link goes down meanwhile (no answer can come
        any more, so the caller learns it at once instead of after the time-out).
        """
        address = parse_group_address(group_address)
        key = canonical(address)
        timeout = self.settings.request_timeout
        deadline = self._clock() + timeout
        with self._hub.subscribe(key, maxsize=16) as answers:
            await self._send(Telegram(destination_address=address, payload=GroupValueRead()))
            while True:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    break
                event = await self.next_event(answers, remaining)
                if event is None:
                    break
                if event.kind == "response" and not event.own:
                    return event
        raise KnxTimeout(f"no GroupValueResponse from {key} within {timeout:g} s")

    async def next_event(self, events: Subscription, within: float) -> GroupEvent | None:
        """The next event of ``events``, or None after ``within`` seconds.

        Raises :class:`KnxUnavailable` as soon as the link is or goes down: whoever waits
        for a device's answer or status learns at once that none can come.
        """
        if self._down.is_set():
            raise KnxUnavailable(self._describe_down())
        answer = asyncio.ensure_future(events.get(within=within))
        down = asyncio.ensure_future(self._down.wait())
        try:
            await asyncio.wait({answer, down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (answer, down):
                task.cancel()
        if answer.done() and not answer.cancelled():
            try:
                return answer.result()
            except KnxTimeout:
                return None
        raise KnxUnavailable(self._describe_down())

    def subscribe(self, group_address: str | None = None, maxsize: int = 64) -> Subscription:
        """Bounded stream of events on ``group_address`` (all addresses when None).

        Subscribe *before* sending the command whose feedback you wait for.
        """
        key = None if group_address is None else canonical(parse_group_address(group_address))
        return self._hub.subscribe(key, maxsize)

    def last_event(self, group_address: str) -> GroupEvent | None:
        """Last write or response seen on the bus for ``group_address`` (ours included)."""
        return self._hub.last_event(canonical(parse_group_address(group_address)))

    async def _send(self, telegram: Telegram) -> None:
        if not self.connected:
            raise KnxUnavailable(self._describe_down())
        await self._sender.send(telegram, self.settings.request_timeout)

    async def _send_now(self, telegram: Telegram) -> None:
        """Hand one telegram to xknx and wait for its L_Data.con (called by the sender)."""
        if self._xknx is None:
            raise KnxUnavailable("KNX link stopped")
        await self._xknx.telegram_queue.process_telegram_outgoing(telegram)

    def _describe_down(self) -> str:
        if self._config is None:
            return "KNX is disabled (knx.mode = none)"
        reason = f": {self.last_error}" if self.last_error else ""
        return f"KNX link is {self._state}{reason}"

    # --- incoming -------------------------------------------------------------------------

    def _telegram_seen(self, telegram: Telegram) -> None:
        """xknx callback for every group telegram, incoming and our own outgoing."""
        if not isinstance(telegram.destination_address, GroupAddress):
            return
        payload = telegram.payload
        if isinstance(payload, GroupValueWrite):
            kind, value = "write", payload.value
        elif isinstance(payload, GroupValueResponse):
            kind, value = "response", payload.value
        elif isinstance(payload, GroupValueRead):
            kind, value = "read", None
        else:
            return
        own = telegram.direction is TelegramDirection.OUTGOING
        if not own:
            self._received += 1
        source = telegram.source_address
        if own and source.raw == 0 and self._xknx is not None:
            source = self._xknx.current_address
        self._hub.publish(
            GroupEvent(
                group_address=canonical(telegram.destination_address),
                payload=value,
                kind=kind,  # type: ignore[arg-type]
                source=str(source),
                own=own,
                received_at=self._clock(),
            )
        )

    # --- supervision ----------------------------------------------------------------------

    def _set_state(self, state: LinkState) -> None:
        if state is self._state:
            return
        previous, self._state = self._state, state
        if state is LinkState.CONNECTED:
            self._down.clear()
            self._connected_since = datetime.now(UTC).replace(microsecond=0)
        else:
            self._down.set()
            self._connected_since = None
        self._state_changed.set()
        log.info(
            "event=knx_link_state from=%s to=%s reason=%r", previous, state, self.last_error or ""
        )

    # TunnelKeeper's events (reconnect.KeeperEvents)

    def tunnel_connected(self) -> None:
        """The keeper opened the tunnel: sends may go."""
        self._connects += 1
        self.last_error = None
        self._set_state(LinkState.CONNECTED)

    def tunnel_lost(self, reason: str) -> None:
        """The keeper saw the tunnel go; it is reconnecting."""
        self._losses += 1
        self.last_error = reason
        self._set_state(LinkState.LOST)

    def connect_failed(self, reason: str) -> None:
        """An attempt failed; the state stays CONNECTING or LOST, the reason is shown."""
        self.last_error = reason
