"""Which lights answer: every change logged with its cause, unreachable lights probed back.

Why: a light is marked unreachable when a command or a read gets no answer. That may be
the lamp (switched off at the wall) — or a moment of trouble on our side (interference,
a corrupted frame from the stick, a busy radio) that leaves the lamp perfectly healthy.
The lights service then refuses commands to it, so nothing is sent, and unless the lamp
happens to report something it stays "unreachable" for as long as it stays quiet —
minutes to hours, seen as 6-15 minutes in the fault soak, with no log line saying why.

So an unreachable light is asked, with capped backoff (1 s, 2 s, 4 s ... 60 s), for its
OnOff attribute; any answer — to the probe or anything else the lamp sends — makes it
reachable again. Probes pause while the radio is down (the reconnect reads every light
anyway) and stop when the light is reachable, deleted, or the bridge stops.

Each transition is one log line, ``event=light_unreachable`` or ``event=light_reachable``,
with the light, its address and the cause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gateway.domain.lights.model import LightAddress
from gateway.zigbee.backoff import Backoff

if TYPE_CHECKING:
    from gateway.domain.lights import LightsService

log = logging.getLogger(__name__)

Probe = Callable[[LightAddress], Awaitable[None]]
PROBE_INITIAL = 1.0
PROBE_CAP = 60.0


@dataclass
class _Probing:
    task: asyncio.Task[None]
    since: float
    attempts: int = 0
    in_flight: bool = False


class Reachability:
    """Marks lights (un)reachable through the lights service and probes them back."""

    def __init__(
        self,
        probe: Probe,
        radio_up: Callable[[], bool],
        *,
        probe_initial: float = PROBE_INITIAL,
        probe_cap: float = PROBE_CAP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service: LightsService | None = None
        self._probe = probe
        self._radio_up = radio_up
        self._initial = probe_initial
        self._cap = probe_cap
        self._clock = clock
        self._probing: dict[str, _Probing] = {}
        self._radio_back = asyncio.Event()

    # -- transitions ----------------------------------------------------------------------

    def command_failed(self, address: LightAddress, cause: str) -> None:
        """A command got no answer; the lights service marks the light itself."""
        if self._is_reachable(address.ieee):
            self._log_change(address.ieee, False, cause)
        self._start_probing(address.ieee)

    def lost(self, ieee: str, cause: str, *, probe: bool = True) -> None:
        """The device stopped answering (or left): mark it and, unless it left, probe."""
        service = self.service
        if service is None:
            return
        if self._is_reachable(ieee):
            self._log_change(ieee, False, cause)
            service.unreachable(ieee)
        if probe:
            self._start_probing(ieee)
        else:
            self._stop_probing(ieee)

    def seen(self, ieee: str, cause: str = "a frame from the device") -> None:
        """Something arrived from the device: it is reachable (again)."""
        service = self.service
        if service is None:
            return
        probing = self._probing.get(ieee)
        if probing is not None and probing.in_flight:
            waited = self._clock() - probing.since
            cause = f"answered probe read {probing.attempts} after {waited:.1f} s"
        if any(self._unreachable(ieee)):
            self._log_change(ieee, True, cause)
            service.seen(ieee)
        self._stop_probing(ieee)

    def radio_changed(self, up: bool) -> None:
        """Probes wait while the radio is down and resume once it is back."""
        if up:
            self._radio_back.set()
        else:
            self._radio_back.clear()

    async def stop(self) -> None:
        tasks = [p.task for p in self._probing.values()]
        self._probing.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def probing(self) -> set[str]:
        """IEEE addresses being probed (for status and tests)."""
        return set(self._probing)

    # -- probing ---------------------------------------------------------------------------

    def _start_probing(self, ieee: str) -> None:
        if ieee in self._probing or self.service is None:
            return
        task = asyncio.create_task(self._probe_loop(ieee), name=f"probe-{ieee}")
        self._probing[ieee] = _Probing(task, since=self._clock())

    def _stop_probing(self, ieee: str) -> None:
        probing = self._probing.pop(ieee, None)
        if probing is not None and probing.task is not asyncio.current_task():
            probing.task.cancel()

    async def _probe_loop(self, ieee: str) -> None:
        backoff = Backoff(self._initial, cap=self._cap)
        try:
            while True:
                await asyncio.sleep(backoff.next_delay())
                if not self._radio_up():
                    await self._radio_back.wait()
                    backoff.reset()
                    continue
                addresses = self._unreachable(ieee)
                probing = self._probing.get(ieee)
                if not addresses or probing is None:
                    return  # reachable through something else, or deleted
                probing.attempts += 1
                probing.in_flight = True
                try:
                    await self._probe(addresses[0])
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.debug("probe %d of %s got no answer: %r", probing.attempts, ieee, exc)
                    continue
                finally:
                    probing.in_flight = False
                self.seen(ieee)
                return
        finally:
            entry = self._probing.get(ieee)
            if entry is not None and entry.task is asyncio.current_task():
                del self._probing[ieee]

    # -- helpers ---------------------------------------------------------------------------

    def _unreachable(self, ieee: str) -> list[LightAddress]:
        service = self.service
        if service is None:
            return []
        found = []
        for address in service.addresses(ieee):
            light = service.by_address(address)
            if light is not None and not light.state.get("reachable", True):
                found.append(address)
        return found

    def _is_reachable(self, ieee: str) -> bool:
        service = self.service
        if service is None:
            return False
        lights = [service.by_address(a) for a in service.addresses(ieee)]
        return any(li is not None and li.state.get("reachable", True) for li in lights)

    def _log_change(self, ieee: str, reachable: bool, cause: str) -> None:
        service = self.service
        ids = []
        if service is not None:
            ids = [li.rid for a in service.addresses(ieee) if (li := service.by_address(a))]
        log.info(
            "event=%s light=%s ieee=%s cause=%r",
            "light_reachable" if reachable else "light_unreachable",
            ",".join(ids) or "?",
            ieee,
            cause,
        )
