"""Coalesced writing of light state, from the lamps' reports and from client commands.

Why coalesced: a dimming lamp reports several times a second, and a client dimming it
sends as many commands; either way the state is the lamp's own (it holds it, reports it,
and the bridge reads it back after every reconnect), not a configuration change a client
was promised on disk. Writing each change with an fsync cost more than the radio frame
itself. A change marks the light dirty; the last state of each dirty light is written in
one transaction every ``interval`` seconds and at stop. A power cut loses at most the last
``interval`` seconds of lamp state; names, keys and configuration are still written with
``synchronous=FULL`` before their answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.domain.dirty_writer import DirtyWriter
from gateway.store import Store


class StateFlusher(DirtyWriter):
    """Remembers which lights changed by reports and writes their last state in batches."""

    def __init__(
        self,
        store: Store,
        states: Callable[[set[int]], dict[int, dict[str, Any]]],
        interval: float,
    ) -> None:
        async def write(ids: set[int]) -> None:
            await store.lights.save_states(states(ids))

        super().__init__(write, interval, name="light")
