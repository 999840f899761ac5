"""RadioKeeper: owns the zigpy application and keeps it connected.

Why: zigpy reports a lost serial port (or a stick that stops answering its watchdog)
through the application's ``connection_lost`` and then does nothing more; the application
object is spent. Someone must tear it down, wait, build a new one and start it again until
the stick is back, without restarting the process and without losing what the gateway
knows. That is this class; :class:`gateway.zigbee.supervisor.RadioSupervisor` adds the
network operations on top. It decides *when*; the parts do the work: ``connect_attempt``
(one attempt, the wait), ``liveness`` (is the application still connected),
``join_permit``, ``coordinator_reset``, ``radio_hooks`` (who follows the radio).

States (``gateway.domain.radio.RadioState``)::

    stopped -> connecting -> running <-> busy
                   ^            |
                   |            v
                   +-------- lost      (capped backoff between attempts)

A failed connection attempt also goes to ``lost`` and waits before the next try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import zigpy.application

from gateway.domain.radio import NetworkSnapshot, RadioBusy, RadioState, RadioUnavailable
from gateway.logsetup import STATE_CHANGE, RepeatedWarning
from gateway.zigbee import backups, liveness
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.connect_attempt import (
    close_application,
    connect_watched,
    explain_failure,
    open_application,
    pause,
)
from gateway.zigbee.coordinator_reset import watch_coordinator_resets
from gateway.zigbee.join_permit import JoinPermit
from gateway.zigbee.network_settings import new_network_key, read_snapshot
from gateway.zigbee.radio_hooks import DownHook, RadioHooks, StateListener, UpHook
from gateway.zigbee.radios import RadioConfig

__all__ = ["ControllerApplication", "RadioKeeper"]

log = logging.getLogger(__name__)

ControllerApplication = zigpy.application.ControllerApplication

# zigpy-znp's DeliveryError for a request through an application that has disconnected.
DISCONNECTED_ERROR = "Coordinator is disconnected"
LIVENESS_INTERVAL = 1.0  # s between looks at a running application that sends nothing


class RadioKeeper:
    """Keeps one zigpy ControllerApplication running, and says whether it does."""

    def __init__(
        self,
        config: RadioConfig,
        *,
        app_class: type[ControllerApplication] | None = None,
        backoff: Backoff | None = None,
        connect_timeout: float = 60.0,
        shutdown_timeout: float = 10.0,
        permit_renew_interval: float = 240.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._app_class = app_class
        self._backoff = backoff or Backoff()
        self._connect_timeout = connect_timeout
        self._shutdown_timeout = shutdown_timeout
        self._clock = clock
        self._state = RadioState.STOPPED
        self._app: ControllerApplication | None = None
        self._connection = 0  # numbers the applications brought up, for radio_call
        self._snapshot: NetworkSnapshot | None = None
        self._first_key = new_network_key()  # an empty stick is formed with it (any attempt)
        self._busy: str | None = None
        self._exclusive_lock = asyncio.Lock()
        self._lost = asyncio.Event()
        self._restart_now = False
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.join_permit = JoinPermit(
            renew_interval=permit_renew_interval,
            clock=clock,
            current_app=lambda: self._app,
            busy=lambda: self._busy is not None,
        )
        self.hooks = RadioHooks()
        self.last_error: str | None = None
        self._unavailable = RepeatedWarning(log)
        # Monotonic times of the last transitions, for status and the recovery benchmark.
        self.running_since: float | None = None
        self.lost_since: float | None = None

    # -- what the rest of the gateway asks ---------------------------------------------------

    @property
    def state(self) -> RadioState:
        return self._state

    @property
    def reachable(self) -> bool:
        """Running (or busy) with an application that is still connected.

        Asked after every failed delivery (``delivery.radio_call``), so a
        "Coordinator is disconnected" error while running restarts the radio at once.
        """
        if self._state not in (RadioState.RUNNING, RadioState.BUSY):
            return False
        return self._check_connected()

    @property
    def connection(self) -> int:
        """Which connection to the stick is current (a new number for each application)."""
        return self._connection

    def went_away(self, connection: int) -> bool:
        """Whether ``connection`` is no longer up (lost, or replaced by a newer one)."""
        return connection != self._connection or not self.reachable

    @property
    def busy(self) -> str | None:
        return self._busy

    def snapshot(self) -> NetworkSnapshot | None:
        return self._snapshot

    @property
    def application(self) -> ControllerApplication:
        """The running zigpy application (RadioUnavailable while there is none)."""
        if self._app is None or not self.reachable:
            raise RadioUnavailable("Not connected")
        return self._app

    def check_ready(self) -> None:
        """Raise RadioUnavailable/RadioBusy unless ordinary traffic may go out now."""
        self._require_app()

    def add_state_listener(self, listener: StateListener) -> None:
        self.hooks.add_state_listener(listener)

    def add_app_hooks(self, on_up: UpHook | None = None, on_down: DownHook | None = None) -> None:
        """``on_up`` runs for each new application before the state becomes running;
        ``on_down`` when it is torn down (lost, restart or stop)."""
        self.hooks.add_app_hooks(on_up, on_down)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; the gateway serves meanwhile (state ``connecting``)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="zigbee-supervisor")

    async def stop(self) -> None:
        self._stopping = True
        self.join_permit.cancel()
        self._lost.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, self._shutdown_timeout + 5)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._task
            self._task = None
        self._set_state(RadioState.STOPPED)

    @property
    def alive(self) -> bool:
        """The supervisor itself still runs (a lost radio is not a dead supervisor)."""
        return self._task is not None and not self._task.done()

    def restart(self) -> None:
        """Tear the application down and connect again at once (no backoff)."""
        self._restart_now = True
        self._lost.set()

    # zigpy listener: called by the application (and by its watchdog on failure).
    def connection_lost(self, exc: BaseException | None) -> None:
        self.last_error = f"connection lost: {exc!r}"
        log.warning("Zigbee radio connection lost: %r", exc, extra=STATE_CHANGE)
        self._lost.set()
        if self.reachable:
            # Radio requests must fail at once (503/950), not after the loop woke up.
            self._mark_lost()

    # -- the loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._set_state(RadioState.CONNECTING)
            # Cleared before connecting: a loss (or stop) during start-up stays noticed.
            self._lost.clear()
            try:
                app = await self._connect_watched()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._stopping:
                    break  # the attempt was abandoned because we stop: nothing to report
                self.last_error, missing = await explain_failure(exc, self.config.path)
                self._unavailable.warn(f"Zigbee radio not available ({self.last_error}); retrying")
                self._mark_lost()
                await self._pause(port_missing=missing)
                continue
            if self._stopping:
                await self._teardown(app)
                break
            self._app = app
            self._connection += 1
            self._snapshot = read_snapshot(app, self._snapshot)
            watch_coordinator_resets(app, self.config.kind, self._coordinator_reset(app))
            try:
                await self.hooks.up(app)
            except Exception:
                log.exception("radio start-up hook failed; reconnecting")
                await self._teardown(app)
                self._mark_lost()
                await self._pause()
                continue
            self.last_error = None
            self._unavailable.clear()
            self.running_since = self._clock()
            self._backoff.reset()
            self._set_state(RadioState.RUNNING)
            log.info("Zigbee radio running: %s", self.describe(), extra=STATE_CHANGE)
            after_up = asyncio.create_task(self._after_up(app), name="zigbee-after-up")
            await self._watch_running()
            after_up.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await after_up
            await self._teardown(app)
            if self._stopping:
                break
            self._mark_lost()
            if self._restart_now:
                self._restart_now = False
                continue
            await self._pause()

    async def _watch_running(self) -> None:
        """Wait for the loss of the running application, looking at it now and then.

        Why look: zigpy tells its listeners about a lost port, but an application can also
        end up disconnected without a word (see ``_check_connected``); with nothing sent,
        nobody would ask, and the radio would stay "running" with a dead application.
        """
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), LIVENESS_INTERVAL)
            if self._state in (RadioState.RUNNING, RadioState.BUSY):
                self._check_connected()

    def _check_connected(self) -> bool:
        """Whether the application we run is still connected to its stick; if not,
        reconnect at once (the safety net for a silent disconnect).

        zigpy-znp raises DeliveryError("Coordinator is disconnected") once its application
        has disconnected, and no listener hears of it when something other than a lost
        port did it. The radio must then not count as running, and waiting for a
        ``connection_lost`` that never comes would leave every light unreachable.
        """
        app = self._app
        if app is None or not liveness.disconnected(app, self.config.kind):
            return app is not None
        if not self._lost.is_set():
            self.last_error = "the zigpy application disconnected without reporting a lost port"
            log.warning(
                "Zigbee radio lost: %s (the coordinator is disconnected; %s); reconnecting now",
                self.last_error,
                liveness.clues(app),
                extra=STATE_CHANGE,
            )
            self._restart_now = True
            self._lost.set()
        self._mark_lost()
        return False

    def delivery_failed(self, exc: BaseException) -> None:
        """A radio request failed: zigpy-znp's "Coordinator is disconnected" while we run
        means the application that carried it is disconnected — reconnect at once.

        Why besides ``_check_connected``: in the soak the failing requests went through
        zigpy objects of an application that was not (or no longer) the one we hold, which
        itself stayed connected; only the error tells. A reconnect builds a new
        application and fresh device objects from zigpy's database.
        """
        if DISCONNECTED_ERROR not in str(exc) or self._lost.is_set():
            return
        if self._state not in (RadioState.RUNNING, RadioState.BUSY):
            return
        self.last_error = f"a radio request failed while running: {exc!r}"
        log.warning(
            "Zigbee radio lost: %s (%s); reconnecting now",
            self.last_error,
            liveness.clues(self._app),
            extra=STATE_CHANGE,
        )
        self._restart_now = True
        self._lost.set()
        self._mark_lost()

    async def _connect_watched(self) -> ControllerApplication:
        """Connect, giving up as soon as the stick goes away, zigpy loses it, or we stop."""
        return await connect_watched(
            self.config.path,
            self._connect,
            discard=lambda app: close_application(app, self, self._shutdown_timeout),
            lost=self._lost,
            stopping=lambda: self._stopping,
            lost_reason=lambda: self.last_error,
        )

    async def _connect(self) -> ControllerApplication:
        return await open_application(
            self.config,
            self._snapshot.channel if self._snapshot else self.config.channel,
            listener=self,
            app_class=self._app_class,
            network_key=self._first_key,
            connect_timeout=self._connect_timeout,
            shutdown_timeout=self._shutdown_timeout,
        )

    def _coordinator_reset(self, app: ControllerApplication) -> Callable[[Any], None]:
        """A reset of ``app``'s coordinator that we did not cause restarts the network."""

        def on_reset(message: Any) -> None:
            if self._app is not app or self._busy is not None or self._stopping:
                return
            self.last_error = f"coordinator reset ({getattr(message, 'Reason', '?')})"
            log.warning("Zigbee coordinator reset itself (%s); restarting the network", message)
            self.restart()

        return on_reset

    async def _after_up(self, app: ControllerApplication) -> None:
        """Re-open the network if it was open when the radio went away; save a backup."""
        await self.join_permit.reopen(app)
        await backups.write_latest_or_log(app, self.config.backup_dir)

    async def _teardown(self, app: ControllerApplication) -> None:
        self.join_permit.cancel(keep_deadline=True)
        self._app = None
        self.hooks.down(app)
        await close_application(app, self, self._shutdown_timeout)

    def _mark_lost(self) -> None:
        if self._state is not RadioState.LOST:
            self.lost_since = self._clock()
        self._set_state(RadioState.LOST)

    async def _pause(self, *, port_missing: bool = False) -> None:
        """Wait the backoff delay, cut short by stop or by the port (re)appearing."""
        delay = self._backoff.next_delay()
        path = self.config.path
        if await pause(delay, path, self._wake, self._clock, port_missing=port_missing):
            log.info("serial port %s appeared; reconnecting", path)

    # -- helpers --------------------------------------------------------------------------------

    def _require_app(self) -> ControllerApplication:
        if self._app is None or not self.reachable:  # reachable checks the connection too
            raise RadioUnavailable("Not connected")
        if self._busy is not None:
            raise RadioBusy(self._busy)
        return self._app

    def _set_state(self, new: RadioState) -> None:
        old, self._state = self._state, new
        if old is new:
            return
        log.debug("radio state %s -> %s", old, new)
        self.hooks.state_changed(old, new)

    def describe(self) -> str:
        """One line for logs and the systemd status."""
        snap = self._snapshot
        if snap is None or not self.reachable:
            return f"{self._state} ({self.last_error})" if self.last_error else str(self._state)
        busy = f", busy: {self._busy}" if self._busy else ""
        return (
            f"{self._state} on channel {snap.channel}, PAN 0x{snap.pan_id:04X}, "
            f"coordinator {snap.coordinator_ieee}{busy}"
        )
