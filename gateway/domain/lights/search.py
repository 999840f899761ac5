"""The search for new lights (``POST /lights``, ``GET /lights/new``), as deCONZ keeps it.

Why a small class: a search is a window in time (the network is open for a minute) plus a
list of what joined during it, and ``lastscan`` must tell "active", the end time of the
last search, or "none". Keeping the clock arithmetic here leaves the service with the
radio call and the bookkeeping of lights.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from gateway.clock import utcnow

SEARCH_SECONDS = 60  # deCONZ and Hue search for one minute


class NewLightsSearch:
    """The running or last search, and the ids of the lights that joined since it began."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._until: float | None = None  # monotonic end of the running search
        self._ended_at: datetime | None = None  # wall-clock end of the last search
        self._new_ids: list[int] = []

    @property
    def searching(self) -> bool:
        return self._until is not None and self._clock() < self._until

    @property
    def ever_started(self) -> bool:
        return self._ended_at is not None

    def begin(self) -> None:
        """A new search starts now: the new-lights list starts empty."""
        self._until = self._clock() + SEARCH_SECONDS
        self._ended_at = utcnow() + timedelta(seconds=SEARCH_SECONDS)
        self._new_ids = []

    def lastscan(self) -> str:
        if self.searching:
            return "active"
        if self._ended_at is None:
            return "none"
        return self._ended_at.strftime("%Y-%m-%dT%H:%M:%S")

    def joined(self, light_id: int) -> None:
        """A light was added; listed under ``/lights/new`` once any search has run."""
        if self._ended_at is not None:
            self._new_ids.append(light_id)

    def forget(self, light_id: int) -> None:
        with contextlib.suppress(ValueError):
            self._new_ids.remove(light_id)

    def new_ids(self) -> list[int]:
        return list(self._new_ids) if self._ended_at is not None else []

    def listing(self, name_of: Callable[[int], str | None]) -> dict[str, Any]:
        """The body of ``GET /lights/new`` (or ``/sensors/new``): ``{id: {"name"}}`` for
        each new one still there (``name_of`` gives None for one deleted since), and
        ``lastscan``."""
        body: dict[str, Any] = {}
        for number in self.new_ids():
            name = name_of(number)
            if name is not None:
                body[str(number)] = {"name": name}
        body["lastscan"] = self.lastscan()
        return body
