"""Level Control server with real, time-based level changes, and the ExecuteIfOff rule
that Level and Color Control share.

Why apart from Color Control (:mod:`.lighting`): every dimmable device has a level
server, only colour lamps a colour one; each reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zigpy.zcl.clusters.general import LevelControl, OnOff
from zigpy.zcl.foundation import Status

from .cluster import ClusterServer, handles
from .transition import Ramp, tenths
from .zcl import Reply

EXECUTE_IF_OFF = 0x01


def may_execute(server: ClusterServer, args: Any) -> bool:
    """ZCL 6+: level/colour commands act on a lamp that is off only with ExecuteIfOff."""
    if server.endpoint.value(OnOff.cluster_id, "on_off", True):
        return True
    options = int(server.values.get("options", 0))
    mask = getattr(args, "options_mask", None)
    override = getattr(args, "options_override", None)
    if mask is not None and override is not None:
        options = (options & ~int(mask)) | (int(override) & int(mask))
    return bool(options & EXECUTE_IF_OFF)


def remaining(server: ClusterServer) -> int:
    """RemainingTime of the cluster's transition in progress, in tenths of a second."""
    transition = server.endpoint.transitions.get(server.cluster_id)
    if transition is None:
        return 0
    return round(transition.remaining(server.endpoint.now()) * 10)


class LevelServer(ClusterServer):
    definition = LevelControl
    writable = frozenset(
        {
            "on_level",
            "on_off_transition_time",
            "on_transition_time",
            "off_transition_time",
            "default_move_rate",
            "options",
            "start_up_current_level",
        }
    )
    reportable = ("current_level",)
    DEFAULT_RATE = 50  # units per second when a move asks for the default rate

    def initial_values(self) -> dict[str, Any]:
        return {
            "current_level": 254,
            "min_level": 1,
            "max_level": 254,
            "on_off_transition_time": 4,
            "on_level": 0xFF,
            "options": 0,
            "start_up_current_level": 0xFF,
        }

    def computed(self, name: str) -> Any:
        return remaining(self) if name == "remaining_time" else None

    def _clamp(self, level: int) -> int:
        return min(max(level, int(self.values["min_level"])), int(self.values["max_level"]))

    def _onoff(self) -> Any:
        return self.endpoint.cluster(OnOff.cluster_id)

    def _go(self, level: int, seconds: float, with_on_off: bool) -> None:
        """Fades to ``level``; with on/off, turns on first or off when reaching the
        minimum, as ``*_with_on_off`` commands do."""
        target = self._clamp(level)
        onoff = self._onoff()
        on_done: Callable[[], None] | None = None
        if with_on_off and onoff is not None:
            if level > int(self.values["min_level"]):
                onoff.switch(True)
            else:
                on_done = lambda: onoff.switch(False)  # noqa: E731
        ramp = Ramp(self.get("current_level"), target)
        self.endpoint.start_transition(self.cluster_id, {"current_level": ramp}, seconds, on_done)

    def _default_seconds(self) -> float:
        return tenths(int(self.values["on_off_transition_time"]))

    # -- commands -----------------------------------------------------------------------
    @handles(LevelControl.ServerCommandDefs.move_to_level)
    def move_to_level(self, args: Any) -> Reply:
        if may_execute(self, args):
            self._go(int(args.level), tenths(args.transition_time, self._default_seconds()), False)
        return Status.SUCCESS

    @handles(LevelControl.ServerCommandDefs.move_to_level_with_on_off)
    def move_to_level_with_on_off(self, args: Any) -> Reply:
        self._go(int(args.level), tenths(args.transition_time, self._default_seconds()), True)
        return Status.SUCCESS

    def _move(self, down: bool, rate: int, with_on_off: bool) -> None:
        rate = int(self.values.get("default_move_rate", 0xFF)) if rate == 0xFF else rate
        rate = self.DEFAULT_RATE if rate in (0, 0xFF) else rate
        target = int(self.values["min_level"] if down else self.values["max_level"])
        distance = abs(target - int(self.get("current_level")))
        self._go(target, distance / rate, with_on_off)

    @handles(LevelControl.ServerCommandDefs.move)
    def move(self, args: Any) -> Reply:
        if may_execute(self, args):
            self._move(int(args.move_mode) == 1, int(args.rate), False)
        return Status.SUCCESS

    @handles(LevelControl.ServerCommandDefs.move_with_on_off)
    def move_with_on_off(self, args: Any) -> Reply:
        self._move(int(args.move_mode) == 1, int(args.rate), True)
        return Status.SUCCESS

    def _step(self, down: bool, size: int, transition_time: int, with_on_off: bool) -> None:
        current = int(self.get("current_level"))
        target = current - size if down else current + size
        if down and with_on_off and target <= int(self.values["min_level"]):
            target = 0
        self._go(target, tenths(transition_time), with_on_off)

    @handles(LevelControl.ServerCommandDefs.step)
    def step(self, args: Any) -> Reply:
        if may_execute(self, args):
            self._step(int(args.step_mode) == 1, int(args.step_size), args.transition_time, False)
        return Status.SUCCESS

    @handles(LevelControl.ServerCommandDefs.step_with_on_off)
    def step_with_on_off(self, args: Any) -> Reply:
        self._step(int(args.step_mode) == 1, int(args.step_size), args.transition_time, True)
        return Status.SUCCESS

    @handles(LevelControl.ServerCommandDefs.stop)
    def stop(self, args: Any) -> Reply:
        self.endpoint.stop_transition(self.cluster_id)
        return Status.SUCCESS

    @handles(LevelControl.ServerCommandDefs.stop_with_on_off)
    def stop_with_on_off(self, args: Any) -> Reply:
        self.endpoint.stop_transition(self.cluster_id)
        return Status.SUCCESS
