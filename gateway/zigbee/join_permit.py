"""Permit join for the supervisor: the deadline, "open until closed", reopening after a loss.

Why its own module: deCONZ clients ask for up to 255 s (255 meaning "until closed") while
zigpy accepts at most 254 s, and a client that opened the network expects it to stay open
as asked across a reconnect of the stick. That bookkeeping (a deadline, a renewal task)
is independent of keeping the application connected, which is the supervisor's job.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

import zigpy.application

from gateway.domain.radio import RadioUnavailable
from gateway.zigbee.cancellation import radio_request

log = logging.getLogger(__name__)

ControllerApplication = zigpy.application.ControllerApplication

ZIGPY_PERMIT_MAX = 254  # zigpy asserts 0 <= time_s <= 254
PERMIT_FOREVER = 255  # deCONZ: open until closed


class JoinPermit:
    """How long joins are permitted, and the radio kept in line with it."""

    def __init__(
        self,
        *,
        renew_interval: float,
        clock: Callable[[], float],
        current_app: Callable[[], ControllerApplication | None],
        busy: Callable[[], bool],
    ) -> None:
        self._renew_interval = renew_interval
        self._clock = clock
        self._current_app = current_app
        self._busy = busy
        self._task: asyncio.Task[None] | None = None
        self._until: float | None = None

    def joins_open(self, grace: float = 0.0) -> bool:
        """Whether joins are permitted now (or were within ``grace`` seconds)."""
        until = self._until
        return until is not None and self._clock() < until + grace

    async def open(self, app: ControllerApplication, seconds: int) -> None:
        """Open the network for ``seconds``; 0 closes, 255 keeps it open until closed.

        "Forever" is a permit that a background task renews well before it runs out.
        """
        if not 0 <= seconds <= PERMIT_FOREVER:
            raise ValueError(f"permit join must be 0..255 s, got {seconds}")
        # The old deadline stands until the radio has taken the new permit: a lamp that
        # announces itself meanwhile joined a network that was open.
        self.cancel(keep_deadline=True)
        await permit(app, min(seconds, ZIGPY_PERMIT_MAX))
        if seconds == PERMIT_FOREVER:
            self._until = math.inf
            self._task = asyncio.create_task(self._renew(), name="zigbee-permit")
        elif seconds:
            self._until = self._clock() + seconds
        elif self._until is not None:
            # Closed now: the deadline becomes "now", so the join grace still covers lamps
            # that joined just before the close and are being interviewed.
            self._until = min(self._until, self._clock())
        log.info("network %s", f"open for {seconds} s" if seconds else "closed")

    async def reopen(self, app: ControllerApplication) -> None:
        """Re-open the network on a new application if it was open when the radio went."""
        until = self._until
        if until is None:
            return
        remaining = until - self._clock()
        try:
            if until == math.inf:
                await permit(app, ZIGPY_PERMIT_MAX)
                # One renewal at a time, and none once closed: a client may have opened the
                # network "until closed" on this application meanwhile (with its own
                # renewal), or closed it; a second renewal would outlive the close and keep
                # the network open for ever.
                renewing = self._task is not None and not self._task.done()
                if self._until == math.inf and not renewing:
                    self._task = asyncio.create_task(self._renew(), name="zigbee-permit")
            elif remaining >= 1:
                await permit(app, min(int(remaining), ZIGPY_PERMIT_MAX))
        except RadioUnavailable:
            log.warning("could not re-open the network after reconnecting")

    def cancel(self, *, keep_deadline: bool = False) -> None:
        """Stop renewing; without ``keep_deadline`` the network counts as closed too."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if not keep_deadline:
            self._until = None

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self._renew_interval)
            app = self._current_app()
            if app is None or self._busy():
                continue
            try:
                await permit(app, ZIGPY_PERMIT_MAX)
            except RadioUnavailable as exc:
                log.warning("could not renew the open network: %s", exc)


async def permit(app: ControllerApplication, seconds: int) -> None:
    """zigpy's permit, its failures as RadioUnavailable (503, error 950)."""
    try:
        with radio_request("permit join"):
            await app.permit(seconds)
    except RadioUnavailable:
        raise
    except Exception as exc:
        raise RadioUnavailable(f"permit join failed: {exc}") from exc
