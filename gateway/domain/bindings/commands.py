"""KNX commands carried out on the Zigbee side: lights, groups, scenes, dimming.

Why apart from the engine: the engine decides *which* binding a telegram drives; what a
decoded value means for a lamp (on/off, brightness, colour temperature, colour, relative
dimming, a scene to recall or learn), how several identical commands to the members of a
Zigbee group become one groupcast, and that a command to a radio that is down is dropped
rather than queued (``docs/bindings.md``), is this module. Every command goes through a
latest-wins lane per target and function, so a burst of telegrams ends in the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.domain.bindings import values
from gateway.domain.bindings.lanes import Lanes
from gateway.domain.bindings.ports import GroupTarget, LightTarget, SceneRecaller
from gateway.domain.bindings.records import Binding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    """One binding's command from one telegram: the decoded value for a slot."""

    binding: Binding
    slot: str
    value: int | float


@dataclass
class EngineCounters:
    """What the engine did, for the bench and the tests."""

    commands: int = 0
    status_sent: int = 0
    reads_answered: int = 0
    dropped: int = 0
    groupcasts: int = 0


class Commands:
    """Carries decoded KNX commands to the Zigbee targets."""

    def __init__(
        self,
        lanes: Lanes,
        counters: EngineCounters,
        *,
        lights: LightTarget | None,
        groups: GroupTarget | None,
        scenes: SceneRecaller | None,
        radio_up: Callable[[], bool],
    ) -> None:
        self._lanes = lanes
        self._counters = counters
        self._lights = lights
        self._groups = groups
        self._scenes = scenes
        self._radio_up = radio_up

    def dispatch(self, actions: list[Action]) -> None:
        """Carry out the commands of one telegram, as one groupcast when that is the same."""
        lamps = [a for a in actions if a.binding.target.kind == "light"]
        rest = [a for a in actions if a.binding.target.kind != "light"]
        group_id = self._shared_group(lamps)
        if group_id is not None:
            first = lamps[0]
            self._counters.groupcasts += 1
            log.debug("event=binding_groupcast group=%s lights=%d", group_id, len(lamps))
            self._command(first.binding, first.slot, first.value, ("group", group_id))
        else:
            rest = lamps + rest
        for action in rest:
            target = action.binding.target
            self._command(action.binding, action.slot, action.value, (target.kind, target.id))

    def _shared_group(self, lamps: list[Action]) -> str | None:
        if self._groups is None or len(lamps) < 2:
            return None
        if len({(a.slot, a.value) for a in lamps}) != 1:
            return None
        ids = frozenset(a.binding.target.id for a in lamps)
        return self._groups.group_of(ids) if len(ids) == len(lamps) else None

    def _command(
        self, binding: Binding, slot: str, value: int | float, target: tuple[str, str]
    ) -> None:
        kind, ident = target
        if not self._radio_up():
            self._counters.dropped += 1
            log.info(
                "event=binding_command_dropped binding=%s slot=%s reason=radio_down",
                binding.id, slot,
            )  # fmt: skip
            return
        self._counters.commands += 1
        family = "level" if slot in ("dim", "brightness") else slot
        if slot == "scene":
            job = self._scene_job(binding, int(value))
            if job is not None:
                self._lanes.submit(f"{kind}/{ident}/scene", job)
            return
        if slot == "dim":
            command = values.dim_command(int(value))

            async def level() -> None:
                await self._level(kind, ident, command)

            self._lanes.submit(f"{kind}/{ident}/{family}", level)
            return
        params = self._params(slot, value)
        if params is None:
            return

        async def apply() -> None:
            await self._apply(kind, ident, params, binding)

        self._lanes.submit(f"{kind}/{ident}/{family}", apply)

    @staticmethod
    def _params(slot: str, value: int | float) -> dict[str, Any] | None:
        if slot == "switch":
            return values.switch_params(value)
        if slot == "brightness":
            return values.brightness_params(value)
        if slot == "color_temperature":
            return values.color_temperature_params(value)
        if slot == "rgb":
            return values.rgb_params(int(value))
        return None

    async def _apply(self, kind: str, ident: str, params: dict[str, Any], binding: Binding) -> None:
        try:
            if kind == "light" and self._lights is not None:
                await self._lights.apply(ident, params)
            elif kind == "group" and self._groups is not None:
                await self._groups.apply(ident, params)
        except Exception as exc:
            log.info(
                "event=binding_command_failed binding=%s target=%s/%s params=%s error=%s",
                binding.id, kind, ident, params, exc or type(exc).__name__,
            )  # fmt: skip

    async def _level(self, kind: str, ident: str, command: Any) -> None:
        try:
            if kind == "light" and self._lights is not None:
                await self._lights.level(ident, command)
            elif kind == "group" and self._groups is not None:
                await self._groups.level(ident, command)
        except Exception as exc:
            log.info("event=binding_dim_failed target=%s/%s error=%r", kind, ident, exc)

    def _scene_job(self, binding: Binding, value: int) -> Callable[[], Any] | None:
        if self._scenes is None:
            log.info("event=binding_scene_ignored binding=%s reason=no scenes", binding.id)
            return None
        if binding.scene_dpt == "18.001":
            learn, number = value >= 64, (value & 63) + 1
        else:
            learn, number = False, value
        scene_id = binding.scenes.get(number, str(number))
        scenes, group_id = self._scenes, binding.target.id

        async def job() -> None:
            try:
                if learn:
                    await scenes.store(group_id, scene_id)
                else:
                    await scenes.recall(group_id, scene_id)
            except Exception as exc:
                log.info(
                    "event=binding_scene_failed binding=%s group=%s scene=%s learn=%s error=%r",
                    binding.id, group_id, scene_id, learn, exc,
                )  # fmt: skip

        return job
