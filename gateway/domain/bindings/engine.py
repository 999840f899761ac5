"""The binding engine: KNX telegrams drive Zigbee targets, Zigbee reports become KNX status.

Rules (``docs/bindings.md``):
- **Commands** are GroupValueWrites from other devices on an ``in`` address. Our own
  telegrams are never commands, and neither are responses, so a status we send cannot
  loop back. A command goes to its target through a latest-wins lane (``lanes``).
- **Status** comes from what the lamp *reports* (a ``LightTarget`` report listener), not
  from our command: a status address gets a telegram when the value it carries changes, so
  a report caused by a KNX command produces exactly one status telegram per address.
- **Reads** (GroupValueRead on an ``out`` address) are answered with the last known value;
  a lamp that is unreachable is not answered for (like a KNX actuator without power).
- **Outages**: while the radio or the KNX link is down nothing is queued; the last known
  values are kept, and after recovery the current status is sent once (for the radio after
  ``settle`` seconds, so the lamps' re-reads have arrived). Each outage is logged once.
- **Central functions**: one telegram that drives the same command to several lights that
  are exactly the members of a Zigbee group becomes one groupcast.

Carrying a decoded command out on the Zigbee side is :mod:`.commands`; this module keeps
the bindings in service, routes telegrams and reports, and watches both buses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gateway.domain.bindings import values
from gateway.domain.bindings.commands import Action, Commands, EngineCounters
from gateway.domain.bindings.lanes import Lanes
from gateway.domain.bindings.ports import (
    GroupTarget,
    KnxBus,
    LightTarget,
    SceneRecaller,
    SensorSource,
    Telegram,
)
from gateway.domain.bindings.records import SLOTS, Binding

log = logging.getLogger(__name__)

LAMP_STATUS_SLOTS = (
    "switch_status",
    "brightness_status",
    "color_temperature_status",
    "rgb_status",
)
SENSOR_SLOTS = tuple(values.SENSOR_FIELDS)
BUTTON_BURST = 8
"""Button presses kept per address while a send is in flight (events, not state)."""


@dataclass(frozen=True)
class BindingStatus:
    """What ``GET /bindings`` shows besides the configuration."""

    reachable: bool
    knx: bool
    zigbee: bool


class BindingEngine:
    """Owns the bindings in service and the traffic between the two buses."""

    def __init__(
        self,
        knx: KnxBus,
        *,
        lights: LightTarget | None = None,
        groups: GroupTarget | None = None,
        scenes: SceneRecaller | None = None,
        sensors: SensorSource | None = None,
        poll_interval: float = 0.2,
        settle: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.knx = knx
        self.lights = lights
        self.groups = groups
        self.scenes = scenes
        self.sensors = sensors
        self._poll = poll_interval
        self._settle = settle
        self._clock = clock
        self._bindings: dict[str, Binding] = {}
        self._commands: dict[str, list[tuple[Binding, str]]] = {}
        self._outputs: dict[str, tuple[Binding, str, str]] = {}  # ga -> binding, slot, dpt
        self._known: dict[str, tuple[str, int | float]] = {}  # ga -> dpt, value
        self._sent: dict[str, int | float] = {}
        self._lanes = Lanes()
        self._tasks: list[asyncio.Task[None]] = []
        self._knx_up = False
        self._radio_up = False
        self._resync_at: float | None = None
        self._reported: set[str] = set()
        self._flush_scheduled = False
        self.counters = EngineCounters()
        self._out = Commands(
            self._lanes,
            self.counters,
            lights=lights,
            groups=groups,
            scenes=scenes,
            radio_up=self._zigbee_up,
        )
        if lights is not None:
            lights.add_report_listener(self._light_reported)
        if sensors is not None:
            sensors.add_listener(self._sensor_changed)

    # -- configuration ---------------------------------------------------------------------

    @property
    def bindings(self) -> list[Binding]:
        return list(self._bindings.values())

    def replace(self, bindings: Iterable[Binding]) -> None:
        """Put a new set of bindings in service (takes effect at once, no restart)."""
        self._bindings = {b.id: b for b in bindings}
        commands: dict[str, list[tuple[Binding, str]]] = {}
        outputs: dict[str, tuple[Binding, str, str]] = {}
        for binding in self._bindings.values():
            for slot, gas in binding.addresses.items():
                if SLOTS[slot].direction == "in":
                    for ga in gas:
                        commands.setdefault(ga, []).append((binding, slot))
                else:
                    outputs[gas[0]] = (binding, slot, binding.slot_dpt(slot))
            for button in binding.buttons:
                outputs.setdefault(button.address, (binding, "buttons", "1.001"))
        self._commands, self._outputs = commands, outputs
        for ga in [ga for ga in self._known if ga not in outputs]:
            self._known.pop(ga, None)
            self._sent.pop(ga, None)
        # A new status address shows the current state once, as after a restart.
        for binding in self._bindings.values():
            self._refresh(binding, only_new=True)

    def status(self, binding: Binding) -> BindingStatus:
        knx = self.knx.connected
        zigbee = self._target_reachable(binding)
        return BindingStatus(reachable=knx and zigbee, knx=knx, zigbee=zigbee)

    def last_value(self, group_address: str) -> int | float | None:
        known = self._known.get(group_address)
        return None if known is None else known[1]

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._knx_up = self.knx.connected
        self._radio_up = self.lights.radio_up if self.lights is not None else False
        self._tasks = [
            asyncio.create_task(self._listen(), name="bindings-knx"),
            asyncio.create_task(self._watch(), name="bindings-watch"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._lanes.stop()

    async def idle(self) -> None:
        """Wait until every report, command and telegram in flight is done (tests, bench)."""
        while True:
            await asyncio.sleep(0)
            await self._lanes.idle()
            if not self._flush_scheduled and not self._lanes.busy:
                return

    # -- KNX -> Zigbee ---------------------------------------------------------------------

    async def _listen(self) -> None:
        while True:
            try:
                async for telegram in self.knx.telegrams():
                    self.handle(telegram)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event=bindings_listen_failed; listening again")
                await asyncio.sleep(self._poll)

    def handle(self, telegram: Telegram) -> None:
        """One telegram from the bus (public for tests and the bench)."""
        if telegram.own:
            return  # our own status or response: never a command
        ga = telegram.group_address
        if telegram.kind == "read":
            self._answer_read(ga)
            return
        if telegram.kind != "write":
            return
        actions: list[Action] = []
        for binding, slot in self._commands.get(ga, ()):
            dpt = binding.slot_dpt(slot)
            try:
                value = self.knx.decode(dpt, telegram.payload)
            except ValueError as exc:
                log.info("event=binding_bad_telegram ga=%s dpt=%s error=%s", ga, dpt, exc)
                continue
            actions.append(Action(binding, slot, value))
        if actions:
            self._out.dispatch(actions)

    # -- Zigbee -> KNX ---------------------------------------------------------------------

    def _light_reported(self, light_id: str, changes: dict[str, Any]) -> None:
        """Collect the reports of one moment: zigpy hands over one attribute at a time (x,
        then y of one report frame), and a status computed between them would be wrong."""
        self._reported.add(light_id)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush_reports)

    def _flush_reports(self) -> None:
        self._flush_scheduled = False
        reported, self._reported = self._reported, set()
        for light_id in reported:
            self._lamp_changed(light_id)

    def _lamp_changed(self, light_id: str) -> None:
        for binding in self._bindings.values():
            target = binding.target
            mine = target.kind == "light" and target.id == light_id
            member = (
                target.kind == "group"
                and self.groups is not None
                and light_id in self.groups.members(target.id)
            )
            if mine or member:
                self._refresh(binding)

    def _sensor_changed(self, sensor_id: str, changes: dict[str, Any]) -> None:
        for binding in self._bindings.values():
            if binding.target.kind != "sensor" or binding.target.id != sensor_id:
                continue
            for slot in SENSOR_SLOTS:
                if slot in binding.addresses and values.SENSOR_FIELDS[slot] in changes:
                    value = values.sensor_value(slot, changes)
                    if value is not None:
                        self._emit(binding.addresses[slot][0], SLOTS[slot].dpt, value)
            event = changes.get("buttonevent")
            for button in binding.buttons:
                if event == button.event:
                    # A press is an event: sent every time, even with the same value.
                    self._emit(button.address, "1.001", button.value, force=True, keep=BUTTON_BURST)

    def _lamp_state(self, binding: Binding) -> dict[str, Any] | None:
        target = binding.target
        if self.lights is None:
            return None
        if target.kind == "light":
            return self.lights.reported(target.id)
        if target.kind == "group" and self.groups is not None:
            states = [s for i in self.groups.members(target.id) if (s := self.lights.reported(i))]
            return values.group_state(states) if states else None
        return None

    def _refresh(self, binding: Binding, *, only_new: bool = False, force: bool = False) -> None:
        """Send the binding's status values that changed (or all of them with ``force``)."""
        if binding.target.kind == "sensor":
            state = self.sensors.state(binding.target.id) if self.sensors is not None else None
            for slot in SENSOR_SLOTS:
                if slot in binding.addresses and state is not None:
                    value = values.sensor_value(slot, state)
                    ga = binding.addresses[slot][0]
                    if value is not None and not (only_new and ga in self._known):
                        self._emit(ga, SLOTS[slot].dpt, value, force=force)
            return
        state = self._lamp_state(binding)
        if state is None:
            return
        computed = values.status_values(state)
        for slot in LAMP_STATUS_SLOTS:
            if slot in binding.addresses and slot in computed:
                ga = binding.addresses[slot][0]
                if only_new and ga in self._known:
                    continue
                self._emit(ga, SLOTS[slot].dpt, computed[slot], force=force)

    def _emit(
        self, ga: str, dpt: str, value: int | float, *, force: bool = False, keep: int = 1
    ) -> None:
        self._known[ga] = (dpt, value)
        if self._resync_at is not None and self._is_lamp_status(ga):
            return  # the radio just came back: the settled state is sent once, later
        if not self._knx_up:
            return  # logged once per outage by the watcher; sent once after recovery
        if not force and self._sent.get(ga) == value:
            return
        self._sent[ga] = value
        knx = self.knx

        async def send() -> None:
            try:
                await knx.write(ga, dpt, value)
                self.counters.status_sent += 1
            except Exception as exc:
                self._sent.pop(ga, None)  # not delivered: the recovery sends it
                log.info("event=binding_status_not_sent ga=%s error=%r", ga, exc)

        self._lanes.submit(f"out/{ga}", send, keep=keep)

    def _answer_read(self, ga: str) -> None:
        output = self._outputs.get(ga)
        known = self._known.get(ga)
        if output is None or known is None:
            return
        binding = output[0]
        if binding.target.kind != "sensor" and not self._target_reachable(binding):
            log.info("event=binding_read_unanswered ga=%s reason=target_unreachable", ga)
            return
        dpt, value = known
        knx = self.knx

        async def respond() -> None:
            try:
                await knx.respond(ga, dpt, value)
                self.counters.reads_answered += 1
            except Exception as exc:
                log.info("event=binding_read_not_answered ga=%s error=%r", ga, exc)

        self._lanes.submit(f"read/{ga}", respond)

    # -- outages ---------------------------------------------------------------------------

    def _zigbee_up(self) -> bool:
        return self.lights is not None and self.lights.radio_up

    def _target_reachable(self, binding: Binding) -> bool:
        target = binding.target
        if target.kind == "light":
            return self.lights is not None and self.lights.reachable(target.id)
        if target.kind == "group":
            if self.groups is None or self.lights is None or not self.groups.exists(target.id):
                return False
            members = self.groups.members(target.id)
            return self._zigbee_up() and any(self.lights.reachable(i) for i in members)
        return self.sensors is not None and self.sensors.reachable(target.id)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            with contextlib.suppress(Exception):
                self.check_links()

    def check_links(self) -> None:
        """Notice outages and recoveries of either bus (polled; public for tests)."""
        knx_up = self.knx.connected
        if knx_up != self._knx_up:
            self._knx_up = knx_up
            if knx_up:
                log.info("event=bindings_knx_recovered resending=%d", len(self._known))
                # Lamp status waits for a radio that is down or still settling: it is sent
                # once from the lamps' fresh reports then, not twice.
                lamps_ready = self._zigbee_up() and self._resync_at is None
                self._resend(lambda ga: lamps_ready or not self._is_lamp_status(ga))
            else:
                log.warning(
                    "event=bindings_knx_down: status telegrams are not sent until it is back"
                )
        radio_up = self._zigbee_up()
        if radio_up != self._radio_up:
            self._radio_up = radio_up
            if radio_up:
                log.info("event=bindings_radio_recovered settle=%.1f", self._settle)
                self._resync_at = self._clock() + self._settle
            else:
                self._resync_at = None
                log.warning("event=bindings_radio_down: KNX commands to Zigbee are dropped")
        if self._resync_at is not None and self._clock() >= self._resync_at:
            self._resync_at = None
            for binding in self._bindings.values():
                if binding.target.kind != "sensor":
                    self._refresh(binding, force=True)

    def _is_lamp_status(self, ga: str) -> bool:
        output = self._outputs.get(ga)
        return output is not None and output[1] in LAMP_STATUS_SLOTS

    def _resend(self, wanted: Callable[[str], bool]) -> None:
        for ga, (dpt, value) in list(self._known.items()):
            if wanted(ga):
                self._emit(ga, dpt, value, force=True)
