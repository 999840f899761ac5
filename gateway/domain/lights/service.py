"""The lights domain: ids, names, the state model and the rules of ``PUT .../state``.

Why the rules live here and not in the API handler: the same light is changed by HTTP
requests and by the light itself (attribute reports), and both must go through one model
that knows which fields a light shows, what "reachable" means and what gets stored. The
API layer validates types and ranges; this service decides what is sent, in which order,
what happens when the light is off (error 201) or stops answering (202), and it persists
and publishes every change (``gateway.domain.events``; the websocket forwards them).

Choices where the specs are silent (also in docs/zigbee.md):
- Commands go out in a fixed order (``planning``): on first, off last, colour in reverse
  priority so the lamp ends in the mode the Hue priority xy > ct > hs names.
- A parameter is reported as success only after the light acknowledged its command; what
  a failure mid-way means for the rest is ``commanding``. What an interview changes in a
  light is ``interviews``.
- A renamed light may share its name with another one (as in deCONZ; Hue would append a
  number). Names are 0..32 characters.
- A deleted light's id is never reused; if the device is paired again it gets a new id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.domain.events import EventBus
from gateway.domain.lights.commanding import carry_out
from gateway.domain.lights.interviews import merge_interview, new_light_row
from gateway.domain.lights.model import (
    DiscoveredLight,
    LightAddress,
    LightUnreachable,
    supported_state_fields,
)
from gateway.domain.lights.pending import PendingTargets
from gateway.domain.lights.persistence import StateFlusher
from gateway.domain.lights.publishing import LightEvents
from gateway.domain.lights.records import (
    Light,
    LightNotFound,
    LightTransport,
    ParamResult,
    StateRequest,
)
from gateway.domain.lights.rendering import LightRenderer, Rendered, api_state
from gateway.domain.lights.search import SEARCH_SECONDS, NewLightsSearch
from gateway.domain.radio import RadioUnavailable
from gateway.store import Store

log = logging.getLogger(__name__)


class LightsService:
    """Keeps every light in memory (GET is hot), persists and publishes each change."""

    def __init__(
        self,
        store: Store,
        events: EventBus,
        *,
        transport: LightTransport | None = None,
        permit: Callable[[int], Awaitable[None]] | None = None,
        notify_all: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.monotonic,
        flush_interval: float = 1.0,
    ) -> None:
        self._store = store
        self._events = events
        self.transport = transport
        self._permit = permit
        self._notify_all = notify_all
        self._clock = clock
        self._lights: dict[int, Light] = {}
        self._by_address: dict[LightAddress, Light] = {}
        self._flusher = StateFlusher(store, self._states_of, flush_interval)
        self._discover_lock = asyncio.Lock()
        self._search = NewLightsSearch(clock)
        self._renderer = LightRenderer()
        self._light_events = LightEvents(events, notify_all)
        self._report_listeners: list[Callable[[Light, dict[str, Any]], None]] = []
        # commanded values vs. stale reports; held-back reports come back through observed
        self._pending = PendingTargets(clock, release=self._release_held)

    # -- life cycle ------------------------------------------------------------------------

    async def load(self) -> None:
        for row in await self._store.lights.all():
            self._add(Light.from_stored(row))
        log.info("loaded %d lights", len(self._lights))

    def start(self) -> None:
        """Start writing coalesced report updates in the background."""
        self._flusher.start()

    async def stop(self) -> None:
        await self._flusher.stop()

    async def flush(self) -> None:
        """Write the state of every light changed by reports since the last flush."""
        await self._flusher.flush()

    def _states_of(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        return {i: dict(self._lights[i].state) for i in ids if i in self._lights}

    # -- queries ---------------------------------------------------------------------------

    def all(self) -> list[Light]:
        return [self._lights[i] for i in sorted(self._lights)]

    def get(self, light_id: str | int) -> Light:
        if isinstance(light_id, int):
            number = light_id
        elif light_id.isascii() and light_id.isdigit() and str(int(light_id)) == light_id:
            number = int(light_id)  # "01" is not light 1, as in deCONZ
        else:
            number = -1
        light = self._lights.get(number)
        if light is None:
            raise LightNotFound(str(light_id))
        return light

    def by_address(self, address: LightAddress) -> Light | None:
        return self._by_address.get(address)

    def addresses(self, ieee: str | None = None) -> list[LightAddress]:
        return [a for a in self._by_address if ieee is None or a.ieee == ieee]

    @property
    def radio_up(self) -> bool:
        return self.transport is not None and self.transport.radio_up

    def reachable(self, light: Light) -> bool:
        """What the API shows: the radio is up and the light answers."""
        return self.radio_up and bool(light.state.get("reachable", True))

    def api_state(self, light: Light) -> dict[str, Any]:
        return api_state(light, self.radio_up)

    def render(self, light: Light) -> dict[str, Any]:
        """The light object of ``GET /lights/<id>``, kept until the light changes."""
        return self._renderer.render(light, self.radio_up).body

    def render_all(self) -> dict[str, Any]:
        return self.rendered_all().body

    def rendered(self, light: Light) -> Rendered:
        """The light object with its encoded bytes and ETag, kept until the light changes."""
        return self._renderer.render(light, self.radio_up)

    def rendered_all(self) -> Rendered:
        """``GET /lights`` with its encoded bytes and ETag, kept until any light changes."""
        return self._renderer.render_all(self.all(), self.radio_up)

    async def section(self) -> dict[str, Any]:
        """The ``lights`` part of ``GET /api/<key>``."""
        return self.render_all()

    # -- search for new lights -------------------------------------------------------------

    @property
    def searching(self) -> bool:
        return self._search.searching

    async def search(self) -> int:
        """``POST /lights``: open the network for a minute and start a new-lights list."""
        if self._permit is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        await self._permit(SEARCH_SECONDS)
        self._search.begin()
        log.info("searching for new lights for %d s", SEARCH_SECONDS)
        return SEARCH_SECONDS

    def new_lights(self) -> dict[str, Any]:
        """``GET /lights/new``: what joined since the last search began, and ``lastscan``."""
        return self._search.listing(lambda n: lamp.name if (lamp := self._lights.get(n)) else None)

    # -- changes from clients --------------------------------------------------------------

    async def rename(self, light_id: str, name: str) -> Light:
        light = self.get(light_id)
        if name == light.name:
            return light
        stored = await self._store.lights.update(light.id, name=name)
        if stored is None:
            raise LightNotFound(light_id)
        light.name = name
        self._publish_attr(light, renamed=True)
        return light

    async def delete(self, light_id: str, *, reset: bool = False) -> None:
        """Forget the light; with ``reset`` ask the device to leave the network first.

        The leave request is best effort (not every device obeys it, and an unreachable one
        cannot); a radio that is down or busy refuses the whole request, so the light stays.
        """
        light = self.get(light_id)
        if reset:
            transport = self._require_transport()
            try:
                await transport.leave(light.address)
            except LightUnreachable:
                log.warning("light %s did not acknowledge the leave request", light.rid)
        await self._store.lights.delete(light.id)
        self._remove(light)
        self._publish(light, {"e": "deleted"})
        log.info("light %s (%s) deleted, leave sent: %s", light.rid, light.address.uniqueid, reset)

    async def set_state(self, light_id: str, request: StateRequest) -> list[ParamResult]:
        """Carry out a validated ``PUT .../state``; see the module docstring for the rules.

        Raises LightNotFound, RadioUnavailable / RadioBusy (nothing sent) and
        LightUnreachable when the light is known not to answer (nothing sent).
        """
        light = self.get(light_id)
        transport = self._require_transport()
        transport.check_ready()
        if not light.state.get("reachable", True):
            raise LightUnreachable(light.rid)
        before = self.api_state(light)
        results = await carry_out(light, request, transport, self._pending.commanded)
        await self._commit_state(light, before)
        return results

    def group_commanded(
        self, light_ids: list[int], applied: dict[str, Any], transition: int | None
    ) -> None:
        """A groupcast went out to these lights: show its values as a PUT's would be shown.

        A groupcast is not acknowledged per lamp, so reachable members take the commanded
        values at once (as deCONZ shows them) and their reports confirm or correct them
        (``pending``). Fields a light does not have are left out; the new states are
        written with the coalesced report writes, not one transaction per lamp.
        """
        for light_id in light_ids:
            light = self._lights.get(light_id)
            if light is None or not light.state.get("reachable", True):
                continue
            fields = supported_state_fields(light.caps)
            values = {k: v for k, v in applied.items() if k in fields}
            if not values:
                continue
            before = self.api_state(light)
            light.state.update(values)
            self._pending.commanded(light.id, values, transition)
            self._changed(light, before)

    def _require_transport(self) -> LightTransport:
        if self.transport is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        return self.transport

    async def _commit_state(self, light: Light, before: dict[str, Any]) -> None:
        """Publish now; store with the next coalesced flush (``persistence``).

        A lamp's state is not a configuration change: the lamp holds it, and the bridge
        reads it back after every (re)connect. Writing it with an fsync before each answer
        cost more than the radio frame; a power cut loses at most the last
        ``flush_interval`` seconds of it (README, Performance).
        """
        if light.id not in self._lights:
            return
        self._flusher.mark(light.id)
        self._publish_state(light, before)

    # -- changes from the radio ------------------------------------------------------------

    async def discovered(self, found: DiscoveredLight, *, may_add: bool) -> Light | None:
        """A device endpoint was interviewed: update the light, or add it if allowed.

        ``may_add`` is true when the device joined while the network was open; a known
        light re-joining keeps its id and name either way. A device that is not a light
        yet and joined while the network was closed (e.g. one deleted earlier that
        rejoins after a power cut) is not added.
        """
        async with self._discover_lock:
            light = self._by_address.get(found.address)
            if light is None:
                if not may_add:
                    log.info("ignoring %s: not a light and joins were closed", found.address)
                    return None
                return await self._create(found)
            await self._refresh(light, found)
            return light

    async def _create(self, found: DiscoveredLight) -> Light:
        light = Light.from_stored(await self._store.lights.create(**new_light_row(found)))
        self._add(light)
        self._search.joined(light.id)
        log.info("new light %s: %s (%s)", light.rid, light.name, light.address.uniqueid)
        self._publish(light, {"e": "added", "light": self.render(light)})
        return light

    async def _refresh(self, light: Light, found: DiscoveredLight) -> None:
        before_state = self.api_state(light)
        before_attr = light.attributes()
        changes = merge_interview(light, found)
        self._renderer.touch(light.id)
        await self._store.lights.update(light.id, **changes)
        self._flusher.discard(light.id)
        if light.attributes() != before_attr:
            self._publish_attr(light)
        self._publish_state(light, before_state)

    def observed(self, address: LightAddress, changes: dict[str, Any]) -> None:
        """Attribute reports (already in API units): update, store later, publish now."""
        light = self._by_address.get(address)
        if light is None:
            return
        log.debug("light %s reports %s", light.rid, changes)
        reported = changes
        changes = self._pending.filter_report(light.id, changes)
        before = self.api_state(light)
        fields = supported_state_fields(light.caps)
        for key, value in changes.items():
            if key in fields:
                light.state[key] = value
        light.state["reachable"] = True
        self._changed(light, before)
        for listener in self._report_listeners:
            # What the lamp said, unfiltered: a report that confirms a pending target is
            # news to a listener even though the state already shows it.
            listener(light, {k: v for k, v in reported.items() if k in fields})

    def add_report_listener(self, listener: Callable[[Light, dict[str, Any]], None]) -> None:
        """Be told of every report a light sends (the KNX bindings' status comes from the
        lamp's own word, not from what we commanded)."""
        self._report_listeners.append(listener)

    def _release_held(self, light_id: int, changes: dict[str, Any]) -> None:
        light = self._lights.get(light_id)
        if light is not None:
            self.observed(light.address, changes)

    def seen(self, ieee: str) -> None:
        """Any frame from the device proves it is reachable."""
        self._set_reachable(ieee, True)

    def unreachable(self, ieee: str) -> None:
        """The device stopped acknowledging (or left the network)."""
        self._set_reachable(ieee, False)

    def _set_reachable(self, ieee: str, reachable: bool) -> None:
        for address in self.addresses(ieee):
            light = self._by_address[address]
            if light.state.get("reachable", True) != reachable:
                before = self.api_state(light)
                light.state["reachable"] = reachable
                self._changed(light, before)

    def radio_changed(self, before_up: bool) -> None:
        """The radio came or went: every light whose shown reachability flips is announced."""
        if before_up == self.radio_up:
            return
        for light in self.all():
            if light.state.get("reachable", True):
                before = self.api_state(light)
                before["reachable"] = before_up
                self._publish_state(light, before)

    def _changed(self, light: Light, before: dict[str, Any]) -> None:
        if self.api_state(light) != before:
            self._flusher.mark(light.id)
            self._publish_state(light, before)

    # -- events ----------------------------------------------------------------------------

    # A change a client can see is one that is published: the same places move the
    # light's rendering version, so GET never serves bytes older than the last event.

    def _publish(self, light: Light, fields: dict[str, Any]) -> None:
        self._renderer.touch(light.id)
        self._light_events.publish(light, fields)

    def _publish_state(self, light: Light, before: dict[str, Any]) -> None:
        self._renderer.touch(light.id)
        self._light_events.state(light, before, self.api_state(light))

    def _publish_attr(self, light: Light, *, renamed: bool = False) -> None:
        self._renderer.touch(light.id)
        self._light_events.attributes(light, renamed=renamed)

    # -- bookkeeping -----------------------------------------------------------------------

    def _add(self, light: Light) -> None:
        self._lights[light.id] = light
        self._by_address[light.address] = light
        self._renderer.touch(light.id)

    def _remove(self, light: Light) -> None:
        self._lights.pop(light.id, None)
        self._by_address.pop(light.address, None)
        self._renderer.forget(light.id)
        self._flusher.discard(light.id)
        self._search.forget(light.id)
        self._pending.forget(light.id)
