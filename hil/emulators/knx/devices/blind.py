"""Blind/shutter actuator: the one device that moves over time.

Why its own module: travel time, halting and slat steps make it the only device with a
motion task, and what it reports (position on arrival and on stop) depends on that motion.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import ClassVar

from ..bus import Payload
from .base import Device
from .codecs import percent_from_knx, percent_to_knx, read_bit


@dataclass(kw_only=True, eq=False)
class Blind(Device):
    """Blind/shutter actuator.

    up_down (DPT 1.008: 0 up, 1 down) drives to 0 % or 100 %; stop (DPT 1.017 trigger, or
    1.007) halts; step (DPT 1.007: 1 increase, 0 decrease) halts a moving blind or turns the
    slats by ``angle_step``; position and angle (DPT 5.001) with status. With
    ``travel_time`` > 0 a full run takes that long and position status is reported on
    arrival and on stop; with 0 the blind arrives at once (after the feedback delay).
    """

    type: ClassVar[str] = "blind"
    commands: ClassVar[dict[str, str]] = {
        "up_down": "_on_up_down",
        "stop": "_on_stop",
        "step": "_on_step",
        "position": "_on_position",
        "angle": "_on_angle",
    }
    statuses: ClassVar[dict[str, str]] = {
        "position_status": "_position_state",
        "angle_status": "_angle_state",
    }
    up_down: str
    stop: str | None = None
    step: str | None = None
    position: str | None = None
    position_status: str | None = None
    angle: str | None = None
    angle_status: str | None = None
    current_position: float = 0.0  # 0 % open (up) .. 100 % closed (down)
    current_angle: int = 0
    angle_step: int = 10
    travel_time: float = 0.0
    moving: bool = field(default=False, init=False)
    _motion: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def _on_up_down(self, payload: Payload) -> None:
        self._move_to(100.0 if read_bit(payload) else 0.0)

    def _on_stop(self, _payload: Payload) -> None:
        self.halt()

    def _on_step(self, payload: Payload) -> None:
        if self.moving:
            self.halt()
            return
        delta = self.angle_step if read_bit(payload) else -self.angle_step
        self._set_angle(self.current_angle + delta)

    def _on_position(self, payload: Payload) -> None:
        self._move_to(float(percent_from_knx(payload)))

    def _on_angle(self, payload: Payload) -> None:
        self._set_angle(int(percent_from_knx(payload)))

    def _set_angle(self, angle: int) -> None:
        self.current_angle = max(0, min(100, angle))
        self.report("angle_status", percent_to_knx(self.current_angle))

    def _move_to(self, target: float) -> None:
        self.halt(report=False)
        if self.travel_time <= 0:
            self.current_position = target
            self.report("position_status", percent_to_knx(round(target)))
            return
        self.moving = True
        self._motion = asyncio.get_running_loop().create_task(self._travel(target))

    async def _travel(self, target: float) -> None:
        speed = 100.0 / self.travel_time  # % per second
        tick = 0.05
        try:
            while abs(self.current_position - target) > 1e-9:
                await asyncio.sleep(tick)
                step = min(speed * tick, abs(target - self.current_position))
                self.current_position += step if target > self.current_position else -step
        finally:
            self.moving = False
        self.report("position_status", percent_to_knx(round(self.current_position)), delay=0)

    def halt(self, report: bool = True) -> None:
        """Stop moving; report where the blind stopped."""
        was_moving = self.moving
        if self._motion is not None and not self._motion.done():
            self._motion.cancel()
        self._motion = None
        self.moving = False
        if report and was_moving:
            self.report("position_status", percent_to_knx(round(self.current_position)))

    def deactivate(self) -> None:
        """Stop any motion without reporting (the emulator is going away)."""
        self.halt(report=False)

    def _position_state(self) -> Payload:
        return percent_to_knx(round(self.current_position))

    def _angle_state(self) -> Payload:
        return percent_to_knx(self.current_angle)
