"""Devices that send telegrams of their own when activated: scene actuators and buttons.

Why together: both run a list of :class:`Action` (a value written to a group address in a
DPT), which is how a KNX installation makes one telegram switch several things at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..bus import Payload
from .base import Device
from .codecs import bit, byte_from_knx, value_codec


@dataclass(frozen=True)
class Action:
    """A telegram a scene or button sends when activated: ``value`` encoded as ``dpt``."""

    ga: str
    dpt: str
    value: Any


@dataclass(kw_only=True, eq=False)
class Scene(Device):
    """Scene actuator: a scene number (1 byte, DPT 17.001/18.001: bit 7 = learn) recalls
    the actions configured for it."""

    type: ClassVar[str] = "scene"
    commands: ClassVar[dict[str, str]] = {"scene": "_on_scene"}
    statuses: ClassVar[dict[str, str]] = {}
    scene: str
    actions: dict[int, list[Action]] = field(default_factory=dict)
    recalled: list[int] = field(default_factory=list)
    learned: list[int] = field(default_factory=list)

    def _on_scene(self, payload: Payload) -> None:
        raw = byte_from_knx(payload)
        number = raw & 0x3F
        if raw & 0x80:
            self.learned.append(number)
            return
        self.recalled.append(number)
        for action in self.actions.get(number, []):
            to_knx, _ = value_codec(action.dpt)
            if self._host is not None:
                self._host.send_from(self, action.ga, "write", to_knx(action.value), 0.0)


@dataclass(kw_only=True, eq=False)
class Button(Device):
    """Generic button: a trigger object (DPT 1.017/1.001). Every write counts as a press
    and runs ``actions``; :meth:`press` simulates someone pressing the physical button."""

    type: ClassVar[str] = "button"
    commands: ClassVar[dict[str, str]] = {"trigger": "_on_trigger"}
    statuses: ClassVar[dict[str, str]] = {}
    trigger: str
    actions: list[Action] = field(default_factory=list)
    presses: int = 0

    def _on_trigger(self, _payload: Payload) -> None:
        self.presses += 1
        self._run_actions()

    def press(self, value: bool = True) -> None:
        """The physical button sends its telegram on the bus (and runs its actions)."""
        if self._host is not None:
            self._host.send_from(self, self.trigger, "write", bit(value), 0.0)
        self.presses += 1
        self._run_actions()

    def _run_actions(self) -> None:
        for action in self.actions:
            to_knx, _ = value_codec(action.dpt)
            if self._host is not None:
                self._host.send_from(self, action.ga, "write", to_knx(action.value), 0.0)
