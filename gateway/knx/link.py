"""KnxLink: the gateway's one connection to the KNX bus, over xknx.

xknx does the protocol: KNXnet/IP frames, tunnel connect/disconnect, cEMI, DPT transcoders.
What it lacks for a gateway that must keep answering HTTP is wrapped here:

* **Start never blocks, and never gives up.** xknx raises when the first connect fails and
  only reconnects after a first success. :meth:`KnxLink.start` returns at once; a
  supervisor task connects, and reconnects after any loss, with capped exponential backoff.
* **Loss is noticed within seconds.** xknx's heartbeat needs ~110 s to notice a silent
  tunnel. The supervisor probes the tunnel every ``probe_interval`` (see ``probe.py``) and
  also listens to xknx's own state changes (server DISCONNECT, TCP close, unacked sends).
* **Every send and read is bounded.** A send waits at most ``request_timeout``; while the
  link is not connected it fails at once with :class:`KnxUnavailable`.

One owner for reconnecting: xknx's own auto-reconnect is switched off. It waits a fixed
interval, only exists after a first success, and makes sends block on it; with it off, xknx
reports every loss as DISCONNECTED and this module's loop reconnects with one policy.

States::

    STOPPED --start()--> CONNECTING --connected--> CONNECTED --loss--> LOST --connected--> ...
       ^                     | (retry with backoff)                     | (retry with backoff)
       +------stop()---------+------------------------------------------+
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from xknx import XKNX
from xknx.core.connection_state import XknxConnectionState
from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.exceptions import XKNXException
from xknx.io import ConnectionConfig, ConnectionType
from xknx.telegram import GroupAddress, Telegram, TelegramDirection
from xknx.telegram.apci import GroupValueRead, GroupValueResponse, GroupValueWrite

from ..settings import KnxSection
from . import dpt as dpt_codec
from . import transport_guard
from .addresses import canonical, parse_group_address
from .errors import KnxConfigError, KnxTimeout, KnxUnavailable
from .events import EventHub, GroupEvent, Subscription
from .probe import loss_detection_bound, probe_timeout, probe_tunnel, tunnel_of
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

BACKOFF_INITIAL = 0.5
"""First retry delay after a failed connect, in seconds; doubled per failure."""
BACKOFF_MAX = 10.0
"""Cap of the retry delay: a rebooting KNX IP interface is back within this of appearing."""
CONNECT_TIMEOUT = 10.0
"""Bound on one connect attempt (xknx waits 1 s per request, TCP may hang on SYN)."""
STOP_TIMEOUT = 3.0
"""Bound on a clean disconnect; a silent server must not hold up shutdown."""


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


def connection_config(settings: KnxSection) -> ConnectionConfig:
    """xknx's connection config for our settings; raises :class:`KnxConfigError` if unusable."""
    mode = settings.mode
    local_ip = settings.local_ip or None
    individual_address = settings.individual_address or None
    if mode in ("tunnel_udp", "tunnel_tcp") and not settings.gateway_host:
        raise KnxConfigError(f"knx.gateway_host: required when knx.mode is {mode}")
    host = settings.gateway_host or "127.0.0.1"
    if mode in ("tunnel_udp", "virtual"):
        return ConnectionConfig(
            connection_type=ConnectionType.TUNNELING,
            gateway_ip=host,
            gateway_port=settings.gateway_port,
            local_ip=local_ip,
            route_back=settings.route_back,
            individual_address=individual_address,
            auto_reconnect=False,
        )
    if mode == "tunnel_tcp":
        return ConnectionConfig(
            connection_type=ConnectionType.TUNNELING_TCP,
            gateway_ip=host,
            gateway_port=settings.gateway_port,
            individual_address=individual_address,
            auto_reconnect=False,
        )
    if mode == "routing":
        return ConnectionConfig(
            connection_type=ConnectionType.ROUTING,
            local_ip=local_ip,
            multicast_group=settings.multicast_group,
            multicast_port=settings.multicast_port,
            individual_address=individual_address,
            auto_reconnect=False,
        )
    raise KnxConfigError(f"knx.mode: {mode} has no KNX connection")


class KnxLink:
    """The KNX connection: state, supervised reconnects, bounded sends, reads and events."""

    def __init__(
        self, settings: KnxSection, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._clock = clock
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
        self._xknx_started = False
        self._supervisor: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._lost_reason = ""
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
        return self._supervisor is not None and not self._supervisor.done()

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
        if self._supervisor is not None:
            return
        if self._config is None:
            self.last_error = "KNX is disabled (knx.mode = none)"
            return
        transport_guard.install()  # UDP tunnels believe only their server (issue 12)
        self._xknx = XKNX(connection_config=self._config, rate_limit=0)
        self._xknx.connection_manager.register_connection_state_changed_cb(self._xknx_state)
        self._xknx.telegram_queue.register_telegram_received_cb(
            self._telegram_seen, match_for_outgoing=True
        )
        self._sender.start()
        self._set_state(LinkState.CONNECTING)
        self._supervisor = asyncio.create_task(self._supervise(), name="knx-link-supervisor")
        self._supervisor.add_done_callback(_log_crash)

    async def stop(self) -> None:
        """Disconnect and stop every task; sends fail with :class:`KnxUnavailable` afterwards."""
        if self._supervisor is not None:
            self._supervisor.cancel()
            # A crashed supervisor was logged by _log_crash; stopping must still work.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._supervisor
            self._supervisor = None
        await self._sender.stop()
        self._set_state(LinkState.STOPPED)
        await self._disconnect(final=True)

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

    def _xknx_state(self, state: XknxConnectionState) -> None:
        """xknx noticed a loss itself (server DISCONNECT, TCP closed, sends unacknowledged)."""
        if state is XknxConnectionState.DISCONNECTED and self._state is LinkState.CONNECTED:
            self._mark_lost("xknx reported the connection closed")

    def _mark_lost(self, reason: str) -> None:
        if not self._lost.is_set():
            self._lost_reason = reason
            self._lost.set()

    async def _supervise(self) -> None:
        delay = BACKOFF_INITIAL
        while True:
            try:
                await self._connect()
            except (XKNXException, OSError, TimeoutError) as exc:
                self.last_error = f"connect failed: {_describe(exc)}"
                log.info("event=knx_connect_failed error=%r retry_in=%.1f", self.last_error, delay)
                await self._disconnect(final=False)
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_INITIAL
            self._connects += 1
            self.last_error = None
            self._set_state(LinkState.CONNECTED)
            reason = await self._watch()
            self._losses += 1
            self.last_error = reason
            self._set_state(LinkState.LOST)
            log.warning("event=knx_link_lost reason=%r", reason)
            await self._disconnect(final=False)

    async def _connect(self) -> None:
        assert self._xknx is not None
        self._lost.clear()
        async with asyncio.timeout(CONNECT_TIMEOUT):
            if not self._xknx_started:
                try:
                    await self._xknx.start()
                except BaseException:
                    # xknx.start() registered its task registry before failing; undo it so
                    # the next attempt starts from the same place.
                    self._xknx.task_registry.stop()
                    raise
                self._xknx_started = True
            else:
                await self._xknx.knxip_interface.start()
        if self._xknx.connection_manager.state is not XknxConnectionState.CONNECTED:
            raise TimeoutError("xknx did not report the connection as established")

    async def _watch(self) -> str:
        """Return why the connection was lost: xknx's report, or a failed probe."""
        interval = self.settings.probe_interval
        timeout = probe_timeout(interval)
        while True:
            try:
                async with asyncio.timeout(interval):
                    await self._lost.wait()
                return self._lost_reason
            except TimeoutError:
                pass
            assert self._xknx is not None
            if tunnel_of(self._xknx) is None:
                continue  # routing: there is no peer to probe
            result = await probe_tunnel(self._xknx, timeout)
            if self._lost.is_set():
                return self._lost_reason
            if not result.alive:
                return f"tunnel probe failed: {result.reason}"

    async def _disconnect(self, *, final: bool) -> None:
        """Close the interface (or, when ``final``, all of xknx) within STOP_TIMEOUT."""
        if self._xknx is None:
            return
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                if final and self._xknx_started:
                    await self._xknx.stop()
                    self._xknx_started = False
                else:
                    await self._xknx.knxip_interface.stop()
        except (XKNXException, OSError, TimeoutError) as exc:
            log.info("event=knx_disconnect_unclean error=%r", _describe(exc))
            with contextlib.suppress(Exception):
                await self._xknx.knxip_interface.stop()


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("event=knx_supervisor_crashed error=%r", exc, exc_info=exc)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    cause = exc.__cause__
    if cause is not None and str(cause):
        text = f"{text} ({cause})"
    return text
