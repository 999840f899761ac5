"""The touchlink domain: scan state, results with their ids, identify and reset.

Why a service apart from the radio code: the rules a client sees (one touchlink operation
at a time, results numbered "1", "2", ... in the order targets answered, ``lastscan``,
what a reset means for the lights we know) hold whatever radio does the inter-PAN work.
The radio side (``gateway.zigbee.touchlink``) implements :class:`TouchlinkRadio`; this
module never imports zigpy, and the API never talks to the radio directly.

How an operation runs: it takes the radio exclusively (the supervisor reports ``busy``,
every request needing the network answers 503/951 meanwhile) in a task of its own, so a
scan goes on after ``POST /touchlink/scan`` has been answered. Identify and reset are
answered once the command went out and the radio is back on the network channel; the
radio may stay busy a moment longer while the stick settles.

Choices where the spec is silent (also in docs/touchlink.md):
- ``lastscan`` is the UTC start of the last scan (deCONZ sets it when the scan starts),
  ``"none"`` before the first one.
- A new scan clears the previous results; ids restart at "1". A target that answers on
  several channels or several times is listed once, at its first answer.
- A reset is not answered by the target (ZLL has no response), so results keep showing
  what the scan saw; a light of ours with that address is marked unreachable at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from gateway.clock import utcnow
from gateway.domain.radio import RadioBusy

log = logging.getLogger(__name__)

T = TypeVar("T")

SCAN = "touchlink scan"
IDENTIFY = "touchlink identify"
RESET = "touchlink reset"


class TouchlinkTargetUnknown(Exception):
    """No scan result with this id (answered as 404, error 3)."""


class TouchlinkTargetSilent(Exception):
    """The target did not answer the scan that must precede identify/reset."""


@dataclass(frozen=True)
class ScanResult:
    """One target that answered a scan, as the radio heard it."""

    ieee: str  # "00:17:88:01:00:bf:bf:ed", as zigpy prints it
    channel: int
    pan_id: int  # the PAN the target is in (0xFFFF when factory new)
    factory_new: bool
    rssi: int | None = None  # dBm; None when the radio cannot tell

    @property
    def address(self) -> str:
        """``0x0017880100bfbfed``: the IEEE address as one hex number, as deCONZ shows it."""
        return "0x" + self.ieee.replace(":", "").lower()


class TouchlinkLink(Protocol):
    """What an operation may do while it holds the radio."""

    async def scan(self, found: Callable[[ScanResult], None]) -> None:
        """Scan every channel; ``found`` is called for each answer as it arrives."""
        ...

    async def identify(self, target: ScanResult, seconds: int) -> None:
        """Make the target blink; TouchlinkTargetSilent if it does not answer a scan first."""
        ...

    async def reset(self, target: ScanResult) -> None:
        """Reset the target to factory new (same precondition as identify)."""
        ...

    async def finish(self) -> None:
        """Put the radio back on the network channel now (also done when the link closes)."""
        ...


class TouchlinkRadio(Protocol):
    """The radio port of the touchlink service."""

    def check(self) -> None:
        """Raise RadioUnsupported when this radio can never do touchlink."""
        ...

    def link(self, operation: str) -> AbstractAsyncContextManager[TouchlinkLink]:
        """Take the radio exclusively for ``operation`` (RadioBusy/RadioUnavailable if not)."""
        ...


class TouchlinkService:
    """Runs one touchlink operation at a time and keeps the last scan's results."""

    def __init__(
        self,
        radio: TouchlinkRadio,
        *,
        unreachable: Callable[[str], None] | None = None,
        identify_seconds: int = 5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._radio = radio
        self._unreachable = unreachable
        self._identify_seconds = identify_seconds
        self._clock = clock
        self._results: list[ScanResult] = []
        self._previous_count = 0  # results of the scan before the running one
        self._lastscan: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._operation: str | None = None

    # -- queries -------------------------------------------------------------------------

    @property
    def running(self) -> str | None:
        """The operation in progress (it holds the radio), if any."""
        return self._operation if self._task is not None and not self._task.done() else None

    @property
    def scanning(self) -> bool:
        return self.running == SCAN

    @property
    def results(self) -> list[ScanResult]:
        return list(self._results)

    def status(self) -> dict[str, Any]:
        """The body of ``GET /touchlink/scan``."""
        self._radio.check()
        return {
            "scanstate": "scanning" if self.scanning else "idle",
            "lastscan": self._lastscan.strftime("%Y-%m-%dT%H:%M:%S") if self._lastscan else "none",
            "result": {
                str(number): {
                    "address": result.address,
                    "factorynew": result.factory_new,
                    "channel": result.channel,
                    "panid": result.pan_id,
                    "rssi": result.rssi,
                }
                for number, result in enumerate(self._results, start=1)
            },
        }

    def target(self, rid: str) -> ScanResult:
        """The result with id ``rid`` ("1" is the first; "01" is no id, as for lights)."""
        if rid.isascii() and rid.isdigit() and str(int(rid)) == rid:
            index = int(rid) - 1
            if 0 <= index < len(self._results):
                return self._results[index]
        raise TouchlinkTargetUnknown(rid)

    def _check_radio_and_id(self, rid: str) -> None:
        """No radio: 950; an id no scan gave: 404, even while busy; a known id: 951 if busy."""
        try:
            self._radio.check()
        except RadioBusy:
            self._check_id(rid)
            raise
        self._check_id(rid)
        self._refuse_if_running()  # a known id waits: results change while scanning

    def _check_id(self, rid: str) -> None:
        """TouchlinkTargetUnknown for an id that neither this scan nor the last one gave.

        Ids of the scan that is running, or of the last finished one, may (again) name a
        target once the scan is over, so they get 951 while the radio is busy; any other
        id can never be right and is answered 404 at once (issue 9).
        """
        known = max(len(self._results), self._previous_count)
        if not (rid.isascii() and rid.isdigit() and str(int(rid)) == rid):
            raise TouchlinkTargetUnknown(rid)
        if not 1 <= int(rid) <= known:
            raise TouchlinkTargetUnknown(rid)

    # -- operations ----------------------------------------------------------------------

    async def start_scan(self) -> None:
        """Take the radio and scan in the background; returns once the radio is ours."""
        self._radio.check()
        self._refuse_if_running()

        async def work(link: TouchlinkLink) -> None:
            self._previous_count = len(self._results)
            self._results = []
            self._lastscan = self._clock()
            await link.scan(self._found)
            log.info("touchlink scan found %d target(s)", len(self._results))

        acquired, _done = self._launch(SCAN, work)
        await acquired

    async def identify(self, rid: str) -> ScanResult:
        """Make target ``rid`` blink; returns once the request went out."""
        self._check_radio_and_id(rid)
        target = self.target(rid)

        async def work(link: TouchlinkLink) -> None:
            await link.identify(target, self._identify_seconds)
            log.info("touchlink: asked %s to identify", target.ieee)

        _acquired, done = self._launch(IDENTIFY, work)
        await done
        return target

    async def reset(self, rid: str) -> ScanResult:
        """Reset target ``rid`` to factory new; a light of ours with its address is lost."""
        self._check_radio_and_id(rid)
        target = self.target(rid)

        async def work(link: TouchlinkLink) -> None:
            await link.reset(target)
            log.info("touchlink: reset %s to factory new", target.ieee)
            if self._unreachable is not None:
                self._unreachable(target.ieee)

        _acquired, done = self._launch(RESET, work)
        await done
        return target

    async def stop(self) -> None:
        """Cancel a running operation (the radio link restores the channel on the way out)."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    # -- helpers -------------------------------------------------------------------------

    def _found(self, result: ScanResult) -> None:
        if all(known.ieee != result.ieee for known in self._results):
            self._results.append(result)
            log.info(
                "touchlink: %s answered on channel %d (factory new: %s)",
                result.ieee,
                result.channel,
                result.factory_new,
            )

    def _refuse_if_running(self) -> None:
        running = self.running
        if running is not None:
            raise RadioBusy(running)

    def _launch(
        self, operation: str, work: Callable[[TouchlinkLink], Awaitable[None]]
    ) -> tuple[asyncio.Future[None], asyncio.Future[None]]:
        """Run ``work`` in a task that holds the radio.

        Two futures tell the caller how far it got: ``acquired`` once the radio is ours
        (or why not), ``done`` once the work is over and the channel restored (or why
        it failed). The task itself ends after the link is closed and the radio released.
        """
        loop = asyncio.get_running_loop()
        acquired: asyncio.Future[None] = loop.create_future()
        done: asyncio.Future[None] = loop.create_future()

        async def run() -> None:
            try:
                async with self._radio.link(operation) as link:
                    _settle(acquired, None)
                    failure: Exception | None = None
                    try:
                        await work(link)
                    except Exception as exc:
                        failure = exc
                        log.warning("%s failed: %s", operation, exc)
                    try:
                        await link.finish()  # back on the network channel before answering
                    except Exception as exc:
                        failure = failure or exc
                    _settle(done, failure)
            except asyncio.CancelledError:
                for future in (acquired, done):
                    _settle(future, RuntimeError(f"{operation} cancelled"))
                raise
            except Exception as exc:
                if done.done():
                    log.warning("%s: releasing the radio failed: %r", operation, exc)
                for future in (acquired, done):
                    _settle(future, exc)

        self._operation = operation
        self._task = asyncio.create_task(run(), name=operation.replace(" ", "-"))
        # Nobody may await ``done`` (a scan's caller only waits for ``acquired``).
        done.add_done_callback(_consume)
        acquired.add_done_callback(_consume)
        return acquired, done


def _settle(future: asyncio.Future[None], outcome: BaseException | None) -> None:
    if future.done():
        return
    if outcome is None:
        future.set_result(None)
    else:
        future.set_exception(outcome)


def _consume(future: asyncio.Future[None]) -> None:
    """Mark an exception as retrieved: an unawaited failure is logged by ``_launch``."""
    if not future.cancelled():
        future.exception()
