"""One attempt to bring a zigpy application up, and the wait before the next one.

Why its own module: zigpy neither retries nor notices a serial port that vanishes while
the application starts, and a person replugging a stick expects the gateway back within a
second, not after the backoff. Watching the port around an attempt and between attempts
is a job of its own; the supervisor decides *when* to try and what a failure means.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import zigpy.application

from gateway.domain.radio import RadioUnavailable
from gateway.zigbee import backups, port_loss
from gateway.zigbee.network_settings import offer_network_key, remember_network_keys
from gateway.zigbee.port_holders import who_holds
from gateway.zigbee.radios import RadioConfig, controller_class, zigpy_config

ControllerApplication = zigpy.application.ControllerApplication

log = logging.getLogger(__name__)

PORT_POLL_INTERVAL = 0.2  # how often a missing serial port is looked for


class AttemptAbandoned(RadioUnavailable):
    """A connection attempt given up because the stick went away again meanwhile."""

    def __init__(self, why: str, *, port_vanished: bool) -> None:
        super().__init__(f"connection attempt abandoned: {why}")
        self.port_vanished = port_vanished


async def explain_failure(exc: Exception, path: str) -> tuple[str, bool]:
    """What a failed attempt says (naming who holds a locked port), and whether the port
    is missing.

    Why the port is looked at here, before the loss is announced: a stick plugged in from
    then on is seen appearing by the wait that follows, and tried at once.
    """
    missing = isinstance(exc, AttemptAbandoned) and exc.port_vanished
    missing = missing or not await asyncio.to_thread(os.path.exists, path)
    holders = await who_holds(exc, path)
    return f"{type(exc).__name__}: {exc}{holders}", missing


async def open_application(
    config: RadioConfig,
    channel: int,
    *,
    listener: Any,
    app_class: type[ControllerApplication] | None,
    network_key: bytes,
    connect_timeout: float,
    shutdown_timeout: float,
) -> ControllerApplication:
    """A started application for ``config`` (its network restored, or formed if empty).

    The network keys are handed to the log redactor at each step that learns one: zigpy's
    database (read by ``new``), the backup file, the stick (``startup``); a network formed
    on an empty stick gets ``network_key``, already redacted. zigpy prints network
    settings while it starts, from loggers the radio rules already watch; this is for
    every other logger (aiosqlite prints the backups zigpy stores, the serial transport
    the raw frames, keys included).
    """
    cls = app_class or controller_class(config.kind)
    app = await cls.new(zigpy_config(config, channel), start_radio=False)
    app.add_listener(listener)
    try:
        remember_network_keys(app)
        async with asyncio.timeout(connect_timeout):
            await backups.restore_into(app, config.backup_dir)
            remember_network_keys(app)
            offer_network_key(app, network_key)
            await app.startup(auto_form=True)
        remember_network_keys(app)
    except BaseException:
        await close_application(app, listener, shutdown_timeout)
        raise
    return app


async def close_application(app: ControllerApplication, listener: Any, within: float) -> None:
    """Shut ``app`` down (its serial port closed, zigpy's database flushed) within
    ``within`` seconds, deaf to it from now on. A shutdown that fails is logged, not
    raised: the caller is already on its way to the next attempt."""
    app.remove_listener(listener)
    try:
        await asyncio.wait_for(app.shutdown(db=True), within)
    except Exception as exc:
        log.warning("zigpy shutdown did not finish cleanly: %r", exc)


async def connect_watched(
    path: str,
    connect: Callable[[], Coroutine[Any, Any, ControllerApplication]],
    *,
    discard: Callable[[ControllerApplication], Awaitable[None]],
    lost: asyncio.Event,
    stopping: Callable[[], bool],
    lost_reason: Callable[[], str | None],
) -> ControllerApplication:
    """Connect, but give the attempt up as soon as the stick goes away again.

    zigpy does not notice a port that vanishes while it starts: the ZNP object tells
    the application about a lost port only once it is connected, so the attempt
    would run into request time-outs and the watchdog (tens of seconds) before the
    next try. Watching the port (and zigpy's ``connection_lost``, and stop) ends it
    at once; the next attempt starts as soon as the port is back.
    """
    port_closed = asyncio.Event()
    closed_by: list[BaseException] = []

    def on_port_lost(exc: BaseException) -> None:
        closed_by.append(exc)
        port_closed.set()

    unsubscribe = port_loss.subscribe(path, on_port_lost)
    attempt = asyncio.create_task(connect(), name="zigbee-connect")
    watch = asyncio.create_task(
        _gone_while_connecting(path, port_closed, closed_by, lost, stopping, lost_reason),
        name="zigbee-connect-watch",
    )
    try:
        done, _ = await asyncio.wait({attempt, watch}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        attempt.cancel()
        raise
    finally:
        watch.cancel()
        unsubscribe()
    if attempt in done:
        return attempt.result()
    why = watch.result() if not watch.cancelled() else "stopped"
    attempt.cancel()
    finished_anyway = await _outcome(attempt)
    if finished_anyway is not None:
        # The attempt finished all the same (it was past its last await, or a library
        # swallowed the cancellation): a connected application holding the serial port,
        # which nobody else would ever close — the next attempt would find the port locked.
        await discard(finished_anyway)
    raise AttemptAbandoned(why, port_vanished=why.startswith("serial port"))


async def _outcome(attempt: asyncio.Task[ControllerApplication]) -> ControllerApplication | None:
    """The application a cancelled attempt made all the same, or None (it failed or was
    cancelled: its own error says nothing the reason it was abandoned for does not)."""
    with contextlib.suppress(asyncio.CancelledError, Exception):
        return await attempt
    return None


async def _gone_while_connecting(
    path: str,
    port_closed: asyncio.Event,
    closed_by: list[BaseException],
    lost: asyncio.Event,
    stopping: Callable[[], bool],
    lost_reason: Callable[[], str | None],
) -> str:
    """Returns why a connection attempt is pointless: the port vanished or failed
    under it (``port_loss``), zigpy lost the connection, or the supervisor stops."""
    # Only a port that was there and went counts: opening a missing one fails at once
    # by itself, with the error that says so.
    was_there = await asyncio.to_thread(os.path.exists, path)
    while True:
        if stopping():
            return "stopping"
        if lost.is_set():
            return lost_reason() or "connection lost"
        if port_closed.is_set():
            return f"serial port {path} failed: {closed_by[0]!r}"
        there = await asyncio.to_thread(os.path.exists, path)
        if was_there and not there:
            return f"serial port {path} disappeared"
        was_there = was_there or there
        waits = [asyncio.ensure_future(e.wait()) for e in (lost, port_closed)]
        try:
            await asyncio.wait(
                waits, timeout=PORT_POLL_INTERVAL, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiting in waits:
                waiting.cancel()


async def pause(
    delay: float,
    path: str,
    wake: asyncio.Event,
    clock: Callable[[], float],
    *,
    port_missing: bool = False,
) -> bool:
    """Wait ``delay``, cut short by ``wake`` (stop) or by the port (re)appearing.

    A stick that was unplugged is usually plugged in again by a person, maybe after
    the backoff has grown to its cap; watching for the device node (udev recreates
    ``/dev/zigbee``) lets us reconnect within a fraction of a second instead. The port
    counts as reappeared once it exists after having been missing at any look since
    the failure (``port_missing``: it already was when the attempt failed), so neither
    a node that udev removes a little late nor one that returns quickly is missed.
    Returns whether the port appeared.
    """
    wake.clear()
    seen_missing = port_missing
    deadline = clock() + delay
    while True:
        exists = await asyncio.to_thread(os.path.exists, path)
        if exists and seen_missing:
            return True
        seen_missing = seen_missing or not exists
        remaining = deadline - clock()
        if remaining <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), min(remaining, PORT_POLL_INTERVAL))
            return False
