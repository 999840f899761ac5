"""Thinknx device controllers on the KNX bus: commands, ``fb`` feedback and status.

The rules this module keeps (the HTTP layer only parses and renders):

* **Nothing reaches the bus unless the whole request is valid.** A value is checked against
  the controller's Thinknx range, the catalogue's ``min``/``max`` and the DPT before a
  telegram is built; any failure is :class:`ParamsError`.
* **Feedback is the device's own status telegram, sent after our command.** With ``fb`` we
  subscribe to the status address *before* sending, remember when we started sending, and
  look at GroupValueWrites from other devices that arrived after that. Our own telegrams
  never count (a catalogue may use one address for command and status), and neither do
  GroupValueResponses: a response answers somebody's read, and a read sent before our
  command is answered with the state from before it. The first status carrying the value we
  sent (as the bus carries it) is the answer. A status with another value may be the late
  feedback of an earlier command (a client sending commands quickly), so we keep waiting;
  if nothing matching comes within ``feedback_timeout`` (counted from the bus confirming our
  command), the last such status is the device's actual state and is answered. No status at
  all -> :class:`NotExecutable`.
* **Status comes from the bus.** The last value seen on the status address is answered at
  once if it was seen during the current connection; otherwise (nothing seen yet, or only
  before a reconnect, when the bus may have changed unseen) we send a GroupValueRead and
  wait for the answer, at most ``knx.request_timeout``. Concurrent reads of one address
  share one telegram.
* **A link that is down fails fast.** Every path asks the link, which raises
  ``KnxUnavailable`` at once; it becomes :class:`NotExecutable`, never a wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from gateway.domain.knx_controllers import (
    CONTROLLERS,
    DeviceNotFound,
    NotExecutable,
    ParamsError,
    from_bus,
    to_bus,
    wire_dpt,
)
from gateway.domain.thinknx import Outcome

from . import dpt as dpt_codec
from .catalogue import Catalogue, ControllerConfig
from .errors import KnxError, KnxTimeout, KnxUnavailable
from .events import GroupEvent
from .link import KnxLink

log = logging.getLogger(__name__)

Number = int | float


class StatusUnreadable(ValueError):
    """A status payload that does not fit the controller (wrong DPT on the bus, or an
    enumeration value Thinknx has no number for)."""


class DeviceService:
    """Runs Thinknx controller requests against the catalogue in service and the KNX link."""

    def __init__(
        self,
        link: KnxLink,
        catalogue: Catalogue,
        *,
        feedback_timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._link = link
        self._catalogue = catalogue
        self._feedback_timeout = feedback_timeout
        self._clock = clock
        self._reads: dict[str, asyncio.Future[GroupEvent]] = {}
        self._connection_seen: int | None = None
        self._connection_noticed = 0.0

    # --- catalogue --------------------------------------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue requests are answered from."""
        return self._catalogue

    def replace_catalogue(self, catalogue: Catalogue) -> None:
        """Serve ``catalogue`` from the next request on (requests under way finish as begun)."""
        self._catalogue = catalogue

    def lookup(self, guid: str, controller: str) -> ControllerConfig:
        """The configuration of ``controller`` on ``guid``; :class:`DeviceNotFound` otherwise."""
        config = self._catalogue.controller(guid, controller)
        if config is None:
            raise DeviceNotFound(f"no device {guid!r} with a {controller} controller")
        return config

    # --- commands ---------------------------------------------------------------------------

    async def command(
        self, guid: str, controller: str, value: Number | None, *, feedback: bool
    ) -> Outcome:
        """Send ``value`` to ``controller`` of ``guid``; with ``feedback`` wait for the status."""
        config = self.lookup(guid, controller)
        spec = config.spec
        if not spec.settable:
            raise DeviceNotFound(f"{controller} cannot be set")
        self._current_connection_start()  # note a new connection as early as we can
        group, wire, number = _command_telegram(config, value)
        try:
            payload = dpt_codec.encode(wire, number)
        except dpt_codec.DptError as exc:
            raise ParamsError(str(exc)) from None
        wants_feedback = feedback and spec.feedback
        if wants_feedback and config.status is None:
            raise NotExecutable(f"{guid} {controller}: no status address for feedback")
        try:
            if not wants_feedback:
                await self._link.write_raw(group, payload)
                return Outcome(config.comm_obj)
            assert config.status is not None
            status = await self._write_and_wait(group, payload, config)
        except (KnxUnavailable, KnxTimeout) as exc:
            raise NotExecutable(str(exc)) from None
        return Outcome(config.comm_obj, status)

    async def _write_and_wait(
        self, group: str, payload: dpt_codec.Payload, config: ControllerConfig
    ) -> Number:
        assert config.status is not None
        expected = _status_value(config, payload)  # our value as the bus carries it
        reported: Number | None = None
        with self._link.subscribe(config.status, maxsize=32) as events:
            sending_since = self._clock()
            await self._link.write_raw(group, payload)
            deadline = self._clock() + self._feedback_timeout
            while (remaining := deadline - self._clock()) > 0:
                event = await self._link.next_event(events, remaining)
                if event is None:
                    break
                if event.own or event.kind != "write" or event.received_at < sending_since:
                    continue
                try:
                    value = _status_value(config, event.payload)
                except StatusUnreadable as exc:
                    log.warning(
                        "event=thinknx_feedback_unreadable ga=%s source=%s error=%s",
                        config.status,
                        event.source,
                        exc,
                    )
                    continue
                if value == expected:
                    return value
                reported = value  # maybe a late status of an earlier command: wait on
        if reported is not None:
            return reported  # the device reported another state and nothing since
        raise NotExecutable(f"no feedback on {config.status} within {self._feedback_timeout:g} s")

    # --- status -----------------------------------------------------------------------------

    async def status(self, guid: str, controller: str) -> Outcome:
        """The current status of ``controller`` of ``guid``, from the bus."""
        config = self.lookup(guid, controller)
        if not config.spec.readable or config.status is None:
            raise DeviceNotFound(f"{guid} has no {controller} status")
        if not self._link.connected:
            raise NotExecutable(f"KNX link is {self._link.state}")
        fresh_since = self._current_connection_start()
        event = self._link.last_event(config.status)
        if event is None or event.received_at < fresh_since:
            try:
                event = await self._read(config.status)
            except KnxError as exc:
                raise NotExecutable(str(exc)) from None
        try:
            return Outcome(config.status_comm_obj, _status_value(config, event.payload))
        except StatusUnreadable as exc:
            raise NotExecutable(f"{guid} {controller}: {exc}") from None

    def _current_connection_start(self) -> float:
        """Monotonic time from which cached values belong to the current connection.

        The link counts its connections (``counters.connects``); we note on our clock when we
        first see a new count and trust only events from then on. That is later than the real
        reconnect, so the cost is one extra read per address, never a stale value. (Its
        ``connected_since`` has one-second resolution: a quick reconnect would look the same.)
        """
        connects = self._link.counters.connects
        if connects != self._connection_seen:
            self._connection_seen = connects
            self._connection_noticed = self._clock()
        return self._connection_noticed

    async def _read(self, group: str) -> GroupEvent:
        """One GroupValueRead per address at a time; concurrent callers share the answer."""
        pending = self._reads.get(group)
        if pending is None:
            pending = asyncio.ensure_future(self._link.read(group))
            self._reads[group] = pending
            pending.add_done_callback(lambda fut: self._forget_read(group, fut))
        return await asyncio.shield(pending)

    def _forget_read(self, group: str, future: asyncio.Future[GroupEvent]) -> None:
        if self._reads.get(group) is future:
            del self._reads[group]
        if not future.cancelled():
            future.exception()  # retrieved, even when every waiter went away


def _command_telegram(config: ControllerConfig, value: Number | None) -> tuple[str, str, Number]:
    """(group address, wire DPT, number) for a command; :class:`ParamsError` if out of range."""
    spec = config.spec
    if value is None:
        if not spec.value_optional:
            raise ParamsError(f"{spec.name}: a value is required")
        value = 1
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamsError(f"{spec.name}: not a number")
    if spec.integer and isinstance(value, float):
        if not value.is_integer():
            raise ParamsError(f"{spec.name}: {value} is not a whole number")
        value = int(value)
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and not low <= value <= high:
        raise ParamsError(f"{spec.name}: {value} is outside {low:g}..{high:g}")
    if config.minimum is not None and value < config.minimum:
        raise ParamsError(f"{spec.name}: {value} is below {config.minimum:g}")
    if config.maximum is not None and value > config.maximum:
        raise ParamsError(f"{spec.name}: {value} is above {config.maximum:g}")
    if spec.name == "scenelaunch":
        if value == 1:
            assert config.command is not None and config.scene is not None
            return config.command, "5", config.scene
        if config.stop is None:
            raise NotExecutable("this scene has no stop address in the catalogue")
        return config.stop, "1", 1
    assert config.command is not None
    if spec.integer:
        value = to_bus(spec.name, config.dpt, int(value))
    return config.command, wire_dpt(config.dpt), value


def _status_value(config: ControllerConfig, payload: object) -> Number:
    """The Thinknx number a status payload carries."""
    try:
        number = dpt_codec.decode(wire_dpt(config.dpt), payload)
    except dpt_codec.DptError as exc:
        raise StatusUnreadable(str(exc)) from None
    spec = CONTROLLERS[config.controller]
    if spec.integer and isinstance(number, int):
        mapped = from_bus(spec.name, config.dpt, number)
        if mapped is None:
            raise StatusUnreadable(f"KNX value {number} has no Thinknx {spec.name} number")
        return mapped
    return number
