"""The lights domain: ids, names, the state model and the rules of ``PUT .../state``.

Why the rules live here and not in the API handler: the same light is changed by HTTP
requests and by the light itself (attribute reports), and both must go through one model
that knows which fields a light shows, what "reachable" means and what gets stored. The
API layer validates types and ranges; this service decides what is sent, in which order,
what happens when the light is off (error 201) or stops answering (202), and it persists
and publishes every change (``gateway.events``; the websocket forwards them).

Choices where the specs are silent (also in docs/zigbee.md):
- Commands go out in a fixed order: ``on: true`` first (so colour commands reach a lit
  lamp), then bri, then colour in *reverse* priority (hs, ct, xy) so the lamp ends in the
  mode the Hue priority xy > ct > hs names, then effect, alert, and ``on: false`` last.
- A parameter is reported as success only after the light acknowledged its command. When
  a command fails mid-way, the parameters already carried out stay (and are reported as
  successes); the failing one and all after it get an error item (202 if the light stopped
  answering, 901 if the radio refused to send, 950/951 if the radio went away or became
  busy), and
  nothing after the failure is sent.
- A renamed light may share its name with another one (as in deCONZ; Hue would append a
  number). Names are 0..32 characters.
- A deleted light's id is never reused; if the device is paired again it gets a new id.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from gateway import colors
from gateway.events import EventBus
from gateway.light_model import (
    Capabilities,
    DiscoveredLight,
    Identify,
    LightAddress,
    LightCommand,
    LightRefused,
    LightUnreachable,
    SetColorLoop,
    SetColorTemp,
    SetHueSat,
    SetLevel,
    SetXY,
    TurnOff,
    TurnOn,
    TurnOnAtLevel,
    initial_state,
    supported_state_fields,
)
from gateway.radio import RadioBusy, RadioUnavailable
from gateway.store import Store
from gateway.store.lights_repo import StoredLight
from gateway.store.models import utcnow

log = logging.getLogger(__name__)

SEARCH_SECONDS = 60  # deCONZ and Hue search for one minute
ALERT_SECONDS = {"none": 0, "select": 2, "lselect": 15}  # Hue lights ignore 1 s
# Fields a light that is off refuses (Hue 1.6.6); on, alert and transitiontime are fine.
REFUSED_WHEN_OFF = ("bri", "hue", "sat", "ct", "xy", "effect")
DEFAULT_COLORLOOP_SPEED = 15
# Parameters that carry out something on the light, in the order they may appear.
COMMAND_PARAMS = ("on", "bri", "hue", "sat", "ct", "xy", "alert", "effect")


class LightNotFound(Exception):
    """No light with this id (answered as 404, error 3)."""


class Outcome(StrEnum):
    """What became of one parameter of a ``PUT .../state``."""

    OK = "ok"
    DEVICE_OFF = "device_off"  # 201
    NOT_REACHABLE = "not_reachable"  # 202
    REFUSED = "refused"  # 901
    RADIO_DOWN = "radio_down"  # 950
    RADIO_BUSY = "radio_busy"  # 951


@dataclass(frozen=True)
class ParamResult:
    name: str
    value: Any
    outcome: Outcome = Outcome.OK
    detail: str = ""


@dataclass(frozen=True)
class StateRequest:
    """A validated ``PUT .../state`` body: command parameters in request order."""

    params: tuple[tuple[str, Any], ...]
    transition: int | None = None
    colorloopspeed: int | None = None


class LightTransport(Protocol):
    """What the service needs from the radio (``gateway.zigbee.bridge`` implements it)."""

    @property
    def radio_up(self) -> bool: ...

    def check_ready(self) -> None:
        """Raise RadioUnavailable or RadioBusy if commands cannot go out now."""
        ...

    async def send(self, address: LightAddress, caps: Capabilities, command: LightCommand) -> None:
        """Carry out one command; LightUnreachable / LightRefused / Radio* on failure."""
        ...

    async def leave(self, address: LightAddress) -> None:
        """Ask the device to leave the network (ZDO Mgmt_Leave_req)."""
        ...


@dataclass
class Light:
    """One light as the service keeps it in memory (the store has the same)."""

    id: int
    address: LightAddress
    name: str
    type: str
    manufacturer: str
    model: str
    swversion: str
    caps: Capabilities
    # The device's state; "reachable" here is the device's own flag (APS acks/messages).
    state: dict[str, Any]

    @property
    def rid(self) -> str:
        return str(self.id)

    @classmethod
    def from_stored(cls, row: StoredLight) -> Light:
        caps = Capabilities.from_json(row.capabilities)
        state = initial_state(caps)
        state.update({k: v for k, v in row.state.items() if k in state})
        return cls(
            id=row.id,
            address=LightAddress(row.ieee, row.endpoint),
            name=row.name,
            type=row.type,
            manufacturer=row.manufacturername,
            model=row.modelid,
            swversion=row.swversion,
            caps=caps,
            state=state,
        )

    def attributes(self) -> dict[str, Any]:
        """The ``attr`` object deCONZ sends in websocket events."""
        return {
            "id": self.rid,
            "manufacturername": self.manufacturer,
            "modelid": self.model,
            "name": self.name,
            "swversion": self.swversion,
            "type": self.type,
            "uniqueid": self.address.uniqueid,
        }


@dataclass(frozen=True)
class _Step:
    command: LightCommand
    names: tuple[str, ...]
    applied: dict[str, Any]


@dataclass
class _Search:
    until: float | None = None  # monotonic end of the running search
    ended_at: datetime | None = None  # wall-clock end of the last search
    new_ids: list[int] = field(default_factory=list)


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
        self._flush_interval = flush_interval
        self._lights: dict[int, Light] = {}
        self._by_address: dict[LightAddress, Light] = {}
        self._dirty: set[int] = set()
        self._flusher: asyncio.Task[None] | None = None
        self._discover_lock = asyncio.Lock()
        self._search = _Search()
        self._rendered: dict[int, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    # -- life cycle ------------------------------------------------------------------------

    async def load(self) -> None:
        for row in await self._store.lights.all():
            self._add(Light.from_stored(row))
        log.info("loaded %d lights", len(self._lights))

    def start(self) -> None:
        """Start writing coalesced report updates in the background."""
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_loop(), name="lights-flush")

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()

    async def flush(self) -> None:
        """Write the state of every light changed by reports since the last flush."""
        dirty, self._dirty = self._dirty, set()
        states = {i: dict(self._lights[i].state) for i in dirty if i in self._lights}
        try:
            await self._store.lights.save_states(states)
        except Exception:
            self._dirty |= dirty
            raise

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval)
            try:
                await self.flush()
            except Exception:
                log.exception("could not store light states; will retry")

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
        fields = supported_state_fields(light.caps)
        state = {k: v for k, v in light.state.items() if k in fields}
        state["reachable"] = self.reachable(light)
        state["alert"] = "none"  # write-only, as in deCONZ
        return state

    def render(self, light: Light) -> dict[str, Any]:
        """The light object of ``GET /lights/<id>`` (spec fields plus deCONZ's names).

        Rendering (with its etag hash) is the bulk of a ``GET /lights``; the result is kept
        per light until anything it is made of changes. Callers must not modify it.
        """
        key = (
            repr(light.state),
            light.name,
            light.type,
            light.manufacturer,
            light.model,
            light.swversion,
            light.caps,
            self.radio_up,
        )
        cached = self._rendered.get(light.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        body: dict[str, Any] = {
            "hascolor": light.caps.has_color,
            "manufacturer": light.manufacturer,
            "manufacturername": light.manufacturer,
            "modelid": light.model,
            "name": light.name,
            "pointsymbol": {},
            "state": self.api_state(light),
            "swversion": light.swversion,
            "type": light.type,
            "uniqueid": light.address.uniqueid,
        }
        if light.caps.has_color:
            body["colorcapabilities"] = light.caps.color_capabilities
        if light.caps.ct:
            body["ctmin"] = light.caps.ct_min or colors.CT_API_MIN
            body["ctmax"] = light.caps.ct_max or colors.CT_API_MAX
        content = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        body["etag"] = hashlib.md5(content, usedforsecurity=False).hexdigest()
        self._rendered[light.id] = (key, body)
        return body

    def render_all(self) -> dict[str, Any]:
        return {light.rid: self.render(light) for light in self.all()}

    async def section(self) -> dict[str, Any]:
        """The ``lights`` part of ``GET /api/<key>``."""
        return self.render_all()

    # -- search for new lights -------------------------------------------------------------

    @property
    def searching(self) -> bool:
        until = self._search.until
        return until is not None and self._clock() < until

    async def search(self) -> int:
        """``POST /lights``: open the network for a minute and start a new-lights list."""
        if self._permit is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        await self._permit(SEARCH_SECONDS)
        self._search = _Search(
            until=self._clock() + SEARCH_SECONDS,
            ended_at=utcnow() + timedelta(seconds=SEARCH_SECONDS),
        )
        log.info("searching for new lights for %d s", SEARCH_SECONDS)
        return SEARCH_SECONDS

    def lastscan(self) -> str:
        if self.searching:
            return "active"
        if self._search.ended_at is None:
            return "none"
        return self._search.ended_at.strftime("%Y-%m-%dT%H:%M:%S")

    def new_lights(self) -> dict[str, Any]:
        """``GET /lights/new``: what joined since the last search began, and ``lastscan``."""
        body: dict[str, Any] = {}
        if self._search.ended_at is not None:
            for light_id in self._search.new_ids:
                light = self._lights.get(light_id)
                if light is not None:
                    body[light.rid] = {"name": light.name}
        body["lastscan"] = self.lastscan()
        return body

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
        results: dict[str, ParamResult] = {}
        params = dict(request.params)
        if not light.state.get("on") and params.get("on") is not True:
            for name in REFUSED_WHEN_OFF:
                if name in params:
                    results[name] = ParamResult(name, params[name], Outcome.DEVICE_OFF)
        steps = self._plan(light, {k: v for k, v in params.items() if k not in results}, request)
        before = self.api_state(light)
        failure: tuple[Outcome, str] | None = None
        for step in steps:
            if failure is not None:
                for name in step.names:
                    results[name] = ParamResult(name, params[name], failure[0], failure[1])
                continue
            try:
                await transport.send(light.address, light.caps, step.command)
            except LightUnreachable as exc:
                light.state["reachable"] = False
                failure = (Outcome.NOT_REACHABLE, str(exc))
            except LightRefused as exc:
                failure = (Outcome.REFUSED, exc.status)
            except RadioBusy as exc:
                failure = (Outcome.RADIO_BUSY, exc.operation)
            except RadioUnavailable as exc:
                failure = (Outcome.RADIO_DOWN, str(exc) or "Not connected")
            if failure is not None:
                log.info("light %s: %s failed: %s", light.rid, step.command, failure[1])
                for name in step.names:
                    results[name] = ParamResult(name, params[name], failure[0], failure[1])
                continue
            light.state.update(step.applied)
            light.state["reachable"] = True
            for name in step.names:
                results[name] = ParamResult(name, step.applied.get(name, params[name]))
        await self._commit_state(light, before)
        return [results[name] for name, _ in request.params if name in results]

    def _plan(self, light: Light, params: dict[str, Any], request: StateRequest) -> list[_Step]:
        """The commands for the parameters that may be carried out, in sending order."""
        caps = light.caps
        tt = request.transition
        steps: list[_Step] = []
        bri = colors.bri_to_level(params["bri"]) if "bri" in params else None
        if params.get("on") is True:
            if bri is not None and bri > 0 and caps.level:
                steps.append(_Step(TurnOnAtLevel(bri, tt), ("on", "bri"), {"on": True, "bri": bri}))
                bri = None
            else:
                steps.append(_Step(TurnOn(), ("on",), {"on": True}))
        if bri is not None:
            steps.append(_Step(SetLevel(bri, tt), ("bri",), {"bri": bri}))
        if "hue" in params or "sat" in params:
            hue = params.get("hue")
            sat = colors.sat_to_zcl(params["sat"]) if "sat" in params else None
            applied: dict[str, Any] = {"colormode": "hs"}
            if hue is not None:
                applied["hue"] = hue
            if sat is not None:
                applied["sat"] = sat
            names = tuple(n for n in ("hue", "sat") if n in params)
            steps.append(_Step(SetHueSat(hue, sat, tt), names, applied))
        if "ct" in params:
            ct = colors.clamp_ct(params["ct"], caps.ct_min, caps.ct_max)
            steps.append(_Step(SetColorTemp(ct, tt), ("ct",), {"ct": ct, "colormode": "ct"}))
        if "xy" in params:
            x, y = params["xy"]
            steps.append(_Step(SetXY(x, y, tt), ("xy",), {"xy": [x, y], "colormode": "xy"}))
        if "effect" in params:
            effect = params["effect"]
            speed = request.colorloopspeed or DEFAULT_COLORLOOP_SPEED
            loop = SetColorLoop(effect == "colorloop", colors.colorloop_time(speed))
            steps.append(_Step(loop, ("effect",), {"effect": effect}))
        if "alert" in params:
            steps.append(_Step(Identify(ALERT_SECONDS[params["alert"]]), ("alert",), {}))
        if params.get("on") is False:
            steps.append(_Step(TurnOff(), ("on",), {"on": False}))
        return steps

    def _require_transport(self) -> LightTransport:
        if self.transport is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        return self.transport

    async def _commit_state(self, light: Light, before: dict[str, Any]) -> None:
        """Persist before answering (acknowledged means stored), then publish."""
        if light.id not in self._lights:
            return
        self._dirty.discard(light.id)
        await self._store.lights.update(light.id, state=dict(light.state))
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
        state = initial_state(found.capabilities)
        state.update({k: v for k, v in found.state.items() if k in state})
        state["reachable"] = True
        row = await self._store.lights.create(
            ieee=found.address.ieee,
            endpoint=found.address.endpoint,
            type=str(found.type),
            manufacturername=found.manufacturer,
            modelid=found.model,
            swversion=found.swversion,
            capabilities=found.capabilities.to_json(),
            state=state,
        )
        light = Light.from_stored(row)
        self._add(light)
        if self._search.ended_at is not None:
            self._search.new_ids.append(light.id)
        log.info("new light %s: %s (%s)", light.rid, light.name, light.address.uniqueid)
        self._publish(light, {"e": "added", "light": self.render(light)})
        return light

    async def _refresh(self, light: Light, found: DiscoveredLight) -> None:
        before_state = self.api_state(light)
        before_attr = light.attributes()
        changes: dict[str, Any] = {}
        for attr, column, value in (
            ("type", "type", str(found.type)),
            ("manufacturer", "manufacturername", found.manufacturer),
            ("model", "modelid", found.model),
            ("swversion", "swversion", found.swversion),
        ):
            if value and getattr(light, attr) != value:
                setattr(light, attr, value)
                changes[column] = value
        if found.capabilities != light.caps:
            light.caps = found.capabilities
            changes["capabilities"] = found.capabilities.to_json()
            fresh = initial_state(light.caps)
            fresh.update({k: v for k, v in light.state.items() if k in fresh})
            light.state = fresh
        light.state.update({k: v for k, v in found.state.items() if k in light.state})
        light.state["reachable"] = True
        changes["state"] = dict(light.state)
        await self._store.lights.update(light.id, **changes)
        self._dirty.discard(light.id)
        if light.attributes() != before_attr:
            self._publish_attr(light)
        self._publish_state(light, before_state)

    def observed(self, address: LightAddress, changes: dict[str, Any]) -> None:
        """Attribute reports (already in API units): update, store later, publish now."""
        light = self._by_address.get(address)
        if light is None:
            return
        log.debug("light %s reports %s", light.rid, changes)
        before = self.api_state(light)
        fields = supported_state_fields(light.caps)
        for key, value in changes.items():
            if key in fields:
                light.state[key] = value
        light.state["reachable"] = True
        self._changed(light, before)

    def seen(self, ieee: str) -> None:
        """Any frame from the device proves it is reachable."""
        for address in self.addresses(ieee):
            light = self._by_address[address]
            if not light.state.get("reachable", True):
                before = self.api_state(light)
                light.state["reachable"] = True
                self._changed(light, before)

    def unreachable(self, ieee: str) -> None:
        """The device stopped acknowledging (or left the network)."""
        for address in self.addresses(ieee):
            light = self._by_address[address]
            if light.state.get("reachable", True):
                before = self.api_state(light)
                light.state["reachable"] = False
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
            self._dirty.add(light.id)
            self._publish_state(light, before)

    # -- events ----------------------------------------------------------------------------

    def _publish(self, light: Light, fields: dict[str, Any]) -> None:
        event: dict[str, Any] = {
            "t": "event",
            "e": fields.get("e", "changed"),
            "r": "lights",
            "id": light.rid,
            "uniqueid": light.address.uniqueid,
        }
        event.update(fields)
        self._events.publish(event)

    def _publish_state(self, light: Light, before: dict[str, Any]) -> None:
        after = self.api_state(light)
        if after == before:
            return
        if self._notify_all():
            state = after
        else:
            state = {k: v for k, v in after.items() if before.get(k) != v}
        self._publish(light, {"state": state})

    def _publish_attr(self, light: Light, *, renamed: bool = False) -> None:
        fields: dict[str, Any] = {"attr": light.attributes()}
        if renamed:
            # Current deCONZ sends the name inside "attr"; pydeconz (Home Assistant) reads
            # a top-level "name", which older deCONZ sent. Both are given.
            fields["name"] = light.name
        self._publish(light, fields)

    # -- bookkeeping -----------------------------------------------------------------------

    def _add(self, light: Light) -> None:
        self._lights[light.id] = light
        self._by_address[light.address] = light

    def _remove(self, light: Light) -> None:
        self._lights.pop(light.id, None)
        self._by_address.pop(light.address, None)
        self._rendered.pop(light.id, None)
        self._dirty.discard(light.id)
        with contextlib.suppress(ValueError):
            self._search.new_ids.remove(light.id)
