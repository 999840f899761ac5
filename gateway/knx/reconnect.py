"""The reconnect policy of the KNX link: when to try again, and the loop that does it.

Why a module of its own: the retry policy decides how fast the gateway is back after a
KNX outage (issue 12: within one retry spacing of the interface coming back, every time),
and it reads best apart from the sending and event code of ``link.py``.

Two kinds of failed connect attempt call for opposite answers:

* **No answer** (CONNECT_REQUEST unanswered, TCP connect refused or hanging, no route):
  the cable is pulled, the switch port is dead, the interface reboots. Nobody else is
  bothered by our attempts, and the first attempt after the path returns wins, so we try
  at a steady pace, every ``RETRY_SPACING`` (1.5 s) ±20 % from attempt start to attempt
  start, however long the outage lasts. Back-off would only make a long outage cost more
  after the fact: with the old capped exponential back-off a 30 s cut took up to 10 s more.
* **Refusal** (CONNECT_RESPONSE with an error status, e.g. E_NO_MORE_CONNECTIONS): the
  interface is there and said no, usually because its tunnels are taken, often by our own
  stale tunnel from before a cut, which it frees only at its heartbeat time-out (120 s).
  Asking faster does not help and loads a device other clients use, so we back off:
  twice the spacing per refusal in a row, capped at ``REFUSED_BACKOFF_MAX`` (10 s).

A success resets both. Jitter keeps several gateways restarting together from asking in
step. One owner of reconnects: xknx's own auto-reconnect is switched off (see
``connection_config``); it waits a fixed ``auto_reconnect_wait``, exists only after a
first success, and makes sends wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from xknx import XKNX
from xknx.core.connection_state import XknxConnectionState
from xknx.exceptions import RequestResponseError, XKNXException
from xknx.io import ConnectionConfig, ConnectionType

from ..settings import KnxSection
from .errors import KnxConfigError
from .probe import probe_timeout, probe_tunnel, tunnel_of

log = logging.getLogger(__name__)

RETRY_SPACING = 1.5
"""Seconds from one connect attempt's start to the next while the interface does not answer."""
JITTER = 0.2
"""Each delay is multiplied by a uniform factor in [1 - JITTER, 1 + JITTER]."""
REFUSED_BACKOFF_MAX = 10.0
"""Cap of the delay after refusals: a freed tunnel is found within this of being freed."""
CONNECT_TIMEOUT = 2.5
"""Bound on one connect attempt: xknx waits 1 s for CONNECT_RESPONSE; TCP may hang on SYN."""
STOP_TIMEOUT = 3.0
"""Bound on a clean disconnect; a silent server must not hold up shutdown or a reconnect."""

CONNECT_ERRORS = (XKNXException, OSError, TimeoutError)
"""What a failed connect attempt raises; anything else is a bug and ends the keeper."""


def connection_config(settings: KnxSection) -> ConnectionConfig:
    """xknx's connection config for our settings; raises :class:`KnxConfigError` if unusable.

    Here because of ``auto_reconnect=False``: the keeper below is the one owner of reconnects.
    """
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


class Outcome(StrEnum):
    """Why a connect attempt failed, as far as pacing is concerned."""

    UNREACHABLE = "unreachable"
    REFUSED = "refused"


def classify(exc: BaseException) -> Outcome:
    """REFUSED when the interface answered with an error status, UNREACHABLE otherwise.

    xknx wraps the CONNECT's ``RequestResponseError`` (whose ``error_code`` is set only
    when a response came) in a ``CommunicationError``, so the whole chain is searched.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, RequestResponseError) and current.error_code is not None:
            return Outcome.REFUSED
        current = current.__cause__ or current.__context__
    return Outcome.UNREACHABLE


class RetryPacer:
    """Seconds from a failed attempt's start to the next attempt's start (module docstring)."""

    def __init__(
        self,
        *,
        spacing: float = RETRY_SPACING,
        jitter: float = JITTER,
        refused_max: float = REFUSED_BACKOFF_MAX,
        rng: random.Random | None = None,
    ) -> None:
        if spacing <= 0 or not 0 <= jitter < 1 or refused_max < spacing:
            raise ValueError("need spacing > 0, 0 <= jitter < 1 and refused_max >= spacing")
        self.spacing = spacing
        self.jitter = jitter
        self.refused_max = refused_max
        self._rng = rng or random.Random()
        self._refusals = 0

    @property
    def refusals(self) -> int:
        """Refusals in a row since the last success or unanswered attempt."""
        return self._refusals

    def next_delay(self, outcome: Outcome) -> float:
        """The spacing before the next attempt, after one that failed with ``outcome``."""
        if outcome is Outcome.REFUSED:
            self._refusals += 1
            base = min(self.refused_max, self.spacing * 2.0**self._refusals)
            return min(self.refused_max, self._jittered(base))
        # Silence says nothing about the tunnels the interface has free: start over.
        self._refusals = 0
        return self._jittered(self.spacing)

    def reset(self) -> None:
        """A connect succeeded: the next outage starts from the short spacing."""
        self._refusals = 0

    def _jittered(self, delay: float) -> float:
        return delay * self._rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)


class KeeperEvents(Protocol):
    """What the keeper tells its link; called on the event loop, must not block."""

    def tunnel_connected(self) -> None: ...

    def tunnel_lost(self, reason: str) -> None: ...

    def connect_failed(self, reason: str) -> None: ...


class TunnelKeeper:
    """Owns the xknx connection: connect, watch, disconnect and retry, in one task.

    Loss is whichever comes first of xknx's own report (server DISCONNECT, TCP closed,
    unacknowledged sends) and our probe (``probe.py``), since xknx's heartbeat needs about
    110 s to notice a silent tunnel. The first attempt after a loss goes out at once.
    """

    def __init__(
        self,
        xknx: XKNX,
        events: KeeperEvents,
        *,
        probe_interval: float,
        pacer: RetryPacer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._xknx = xknx
        self._events = events
        self._probe_interval = probe_interval
        self.pacer = pacer or RetryPacer()
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._xknx_started = False
        self._up = False
        self._lost = asyncio.Event()
        self._lost_reason = ""
        xknx.connection_manager.register_connection_state_changed_cb(self._xknx_state)

    @property
    def running(self) -> bool:
        """True from start() to stop() unless the loop died of a bug (see the log)."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="knx-tunnel-keeper")
            self._task.add_done_callback(_log_crash)

    async def stop(self) -> None:
        """End the loop and close xknx within STOP_TIMEOUT."""
        if self._task is not None:
            self._task.cancel()
            # A crashed loop was logged by _log_crash; stopping must still work.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        self._up = False
        await self._disconnect(final=True)

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            started = self._clock()
            try:
                await self._connect()
            except CONNECT_ERRORS as exc:
                outcome = classify(exc)
                spacing = self.pacer.next_delay(outcome)
                reason = f"connect failed: {_describe(exc)}"
                self._events.connect_failed(reason)
                log.info(
                    "event=knx_connect_failed outcome=%s error=%r next_attempt_in=%.2f",
                    outcome,
                    reason,
                    max(0.0, started + spacing - self._clock()),
                )
                await self._disconnect(final=False)
                await asyncio.sleep(max(0.0, started + spacing - self._clock()))
                continue
            self.pacer.reset()
            self._up = True
            self._events.tunnel_connected()
            reason = await self._watch()
            self._up = False
            self._events.tunnel_lost(reason)
            log.warning("event=knx_link_lost reason=%r", reason)
            await self._disconnect(final=False)

    async def _connect(self) -> None:
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
        interval = self._probe_interval
        timeout = probe_timeout(interval)
        while True:
            try:
                async with asyncio.timeout(interval):
                    await self._lost.wait()
                return self._lost_reason
            except TimeoutError:
                pass
            if tunnel_of(self._xknx) is None:
                continue  # routing: there is no peer to probe
            result = await probe_tunnel(self._xknx, timeout)
            if self._lost.is_set():
                return self._lost_reason
            if not result.alive:
                return f"tunnel probe failed: {result.reason}"

    def _xknx_state(self, state: XknxConnectionState) -> None:
        """xknx noticed a loss itself (server DISCONNECT, TCP closed, sends unacknowledged)."""
        if state is XknxConnectionState.DISCONNECTED and self._up and not self._lost.is_set():
            self._lost_reason = "xknx reported the connection closed"
            self._lost.set()

    async def _disconnect(self, *, final: bool) -> None:
        """Close the interface (or, when ``final``, all of xknx) within STOP_TIMEOUT."""
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                if final and self._xknx_started:
                    await self._xknx.stop()
                    self._xknx_started = False
                else:
                    await self._xknx.knxip_interface.stop()
        except CONNECT_ERRORS as exc:
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
