"""Touchlink over inter-PAN: the algorithm, behind a small radio-neutral interface.

Why this shape: zigpy has no inter-PAN API, so each radio needs its own few commands
(tune to a channel, send a frame to PAN 0xFFFF, hear the answers, go back). Those are
:class:`InterPanRadio`; :class:`ZnpInterPan` (``gateway.zigbee.interpan_znp``) does them
with Z-Stack MT commands. Everything touchlink means on top — which channels in which
order, how long to listen, transaction ids, "scan before identify" — is
:class:`TouchlinkSession`, the same for any radio. :class:`SupervisorTouchlink` connects
the domain service (``gateway.domain.touchlink``) to the RadioSupervisor: it takes the radio
exclusively, builds a session and always puts the radio back on the network channel.

The timings follow the ZLL specification (``TouchlinkTiming``): after each Scan Request
the initiator listens aplcScanTimeBaseDuration (0.25 s); the first primary channel gets
five Scan Requests, every other channel one; primary channels (11, 15, 20, 25) come
first, then 12..26. Every answer in a window is kept, not only the first. Each channel
gets a fresh random transaction id, and an answer with another id is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

import zigpy.application

from gateway.domain.radio import RadioUnavailable, RadioUnsupported
from gateway.domain.touchlink import ScanResult, TouchlinkTargetSilent
from gateway.zigbee.interpan_znp import ZnpInterPan
from gateway.zigbee.radios import ZNP_KINDS
from gateway.zigbee.supervisor import RadioSupervisor
from gateway.zigbee.touchlink_frames import (
    TRANSACTION_MAX,
    FrameError,
    InterPanMessage,
    identify_request,
    parse_scan_response,
    reset_request,
    scan_request,
)

log = logging.getLogger(__name__)

PRIMARY_CHANNELS = (11, 15, 20, 25)
ALL_CHANNELS = tuple(range(11, 27))
UNSUPPORTED = (
    "Touchlink needs inter-PAN frames, which the {kind!r} radio (RaspBee/ConBee through "
    "zigpy-deconz) does not offer; use a Z-Stack (ZNP) coordinator for touchlink"
)


@dataclass(frozen=True)
class TouchlinkTiming:
    """The ZLL timings by default; tests shorten the waits."""

    scan_window: float = 0.25  # aplcScanTimeBaseDuration: listen this long per request
    first_channel_scans: int = 5  # ZLL: five Scan Requests on the first primary channel
    target_scans: int = 3  # identify/reset: scans to reach the target before giving up
    # zigbee-herdsman found that Z-Stack needs a moment back on the network channel
    # before normal traffic; the radio stays ours (busy) meanwhile.
    restore_settle: float = 3.0
    restore_timeout: float = 10.0  # upper bound on putting the radio back


def channel_order() -> list[int]:
    """Primary channels first (where touchlink devices are found), then the rest."""
    return [*PRIMARY_CHANNELS, *(ch for ch in ALL_CHANNELS if ch not in PRIMARY_CHANNELS)]


def scan_plan(timing: TouchlinkTiming) -> list[tuple[int, int]]:
    """(channel, number of Scan Requests) in scanning order."""
    order = channel_order()
    return [(ch, timing.first_channel_scans if i == 0 else 1) for i, ch in enumerate(order)]


def scan_duration(timing: TouchlinkTiming) -> float:
    """The listening time of a full scan plus the settle time (radio round trips aside)."""
    requests = sum(count for _, count in scan_plan(timing))
    return requests * timing.scan_window + timing.restore_settle


def random_transaction() -> int:
    """A fresh inter-PAN transaction id: random, 32 bits, never 0."""
    return secrets.randbelow(TRANSACTION_MAX) + 1


class InterPanRadio(Protocol):
    """The radio-specific part of touchlink."""

    inbox: asyncio.Queue[InterPanMessage]  # inter-PAN frames heard since the last tune

    def next_tsn(self) -> int: ...

    async def open(self) -> None:
        """Get ready to send and receive inter-PAN frames."""
        ...

    async def set_channel(self, channel: int) -> None:
        """Tune to ``channel`` (leaving the network channel) and drop older frames."""
        ...

    async def restore_channel(self) -> None:
        """Back to the network channel."""
        ...

    async def send(self, destination: str | None, frame: bytes) -> None:
        """Send a ZCL frame to PAN 0xFFFF: broadcast (None) or to an IEEE address.

        A unicast the target does not acknowledge raises TouchlinkTargetSilent.
        """
        ...

    def close(self) -> None:
        """Stop listening."""
        ...


class TouchlinkSession:
    """The touchlink algorithm over one :class:`InterPanRadio` (a ``TouchlinkLink``)."""

    def __init__(
        self,
        radio: InterPanRadio,
        timing: TouchlinkTiming,
        *,
        alive: Callable[[], bool] = lambda: True,
        transaction: Callable[[], int] = random_transaction,
    ) -> None:
        self._radio = radio
        self._timing = timing
        self._alive = alive
        self._transaction = transaction
        self.tuned = False  # off the network channel (or maybe: a Set was attempted)
        self.touched = False  # ever tuned: the stick needs its settle time afterwards

    async def scan(self, found: Callable[[ScanResult], None]) -> None:
        for channel, requests in scan_plan(self._timing):
            await self._tune(channel)
            transaction = self._transaction()
            for _ in range(requests):
                self._check_alive()
                await self._radio.send(None, scan_request(transaction, self._radio.next_tsn()))
                await self._listen(transaction, channel, found)

    async def identify(self, target: ScanResult, seconds: int) -> None:
        transaction = await self._reach(target)
        frame = identify_request(transaction, self._radio.next_tsn(), seconds)
        await self._radio.send(target.ieee, frame)

    async def reset(self, target: ScanResult) -> None:
        transaction = await self._reach(target)
        await self._radio.send(target.ieee, reset_request(transaction, self._radio.next_tsn()))

    async def finish(self) -> None:
        if self.tuned:
            await self._radio.restore_channel()
            self.tuned = False

    # -- helpers -------------------------------------------------------------------------

    async def _reach(self, target: ScanResult) -> int:
        """Scan on the target's channel until it answers; its transaction id is then valid.

        A target accepts identify and reset only within a transaction it answered
        (ZLL: aplcInterPANTransIdLifetime, 8 s), so a fresh scan precedes each.
        """
        await self._tune(target.channel)
        for _ in range(self._timing.target_scans):
            self._check_alive()
            transaction = self._transaction()
            await self._radio.send(None, scan_request(transaction, self._radio.next_tsn()))
            heard: list[ScanResult] = []
            if await self._listen(transaction, target.channel, heard.append, until=target.ieee):
                return transaction
        raise TouchlinkTargetSilent(target.ieee)

    async def _tune(self, channel: int) -> None:
        self._check_alive()
        self.tuned = self.touched = True
        await self._radio.set_channel(channel)

    async def _listen(
        self,
        transaction: int,
        channel: int,
        found: Callable[[ScanResult], None],
        *,
        until: str | None = None,
    ) -> bool:
        """Collect Scan Responses for one window; True as soon as ``until`` answered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timing.scan_window
        while (remaining := deadline - loop.time()) > 0:
            try:
                message = await asyncio.wait_for(self._radio.inbox.get(), remaining)
            except TimeoutError:
                break
            try:
                response = parse_scan_response(message.data)
            except FrameError as exc:
                log.debug("ignoring inter-PAN frame from %s: %s", message.source, exc)
                continue
            if response.transaction != transaction:
                continue  # an answer to an earlier scan (or someone else's)
            found(
                ScanResult(
                    ieee=message.source,
                    channel=channel,
                    pan_id=message.pan_id,
                    factory_new=response.factory_new,
                    rssi=message.rssi,
                )
            )
            if until is not None and message.source == until:
                return True
        return False

    def _check_alive(self) -> None:
        if not self._alive():
            raise RadioUnavailable("radio lost during touchlink")


ControllerApplication = zigpy.application.ControllerApplication


class SupervisorTouchlink:
    """The touchlink service's radio port (``gateway.domain.touchlink.TouchlinkRadio``)."""

    def __init__(self, supervisor: RadioSupervisor, timing: TouchlinkTiming | None = None) -> None:
        self._supervisor = supervisor
        self._timing = timing or TouchlinkTiming()

    def check(self) -> None:
        kind = self._supervisor.config.kind
        if kind not in ZNP_KINDS:
            raise RadioUnsupported(UNSUPPORTED.format(kind=kind))

    @contextlib.asynccontextmanager
    async def link(self, operation: str) -> AsyncIterator[TouchlinkSession]:
        self.check()
        async with self._supervisor.exclusive(operation) as app:
            radio = ZnpInterPan(self._supervisor.znp(), tsn=app.get_sequence)
            session = TouchlinkSession(radio, self._timing, alive=lambda: self._holds(app))
            cancelled = False
            try:
                await radio.open()
                yield session
            except asyncio.CancelledError:
                cancelled = True
                raise
            finally:
                restored = await self._restore(session, radio)
                if not restored and self._holds(app):
                    # Still connected but maybe off the network channel: a stick reset
                    # (the supervisor's restart) is the sure way back.
                    log.error("%s: could not return to the network channel; restarting", operation)
                    self._supervisor.restart()
                elif restored and session.touched and not cancelled:
                    await asyncio.sleep(self._timing.restore_settle)

    async def _restore(self, session: TouchlinkSession, radio: ZnpInterPan) -> bool:
        try:
            async with asyncio.timeout(self._timing.restore_timeout):
                await session.finish()
        except Exception as exc:
            log.warning("touchlink: restoring the network channel failed: %r", exc)
            return False
        finally:
            radio.close()
        return True

    def _holds(self, app: ControllerApplication) -> bool:
        """The application we started with is still the running one."""
        try:
            return self._supervisor.application is app
        except RadioUnavailable:
            return False
