"""Attribute changes that take time (ZCL transition times), as a real lamp fades.

A :class:`Transition` interpolates a set of attributes linearly from their values when
the command arrived to the targets over ``duration`` seconds. Reads in between see the
intermediate value; a new command on the same cluster stops the old transition where it
is, as the ZCL requires.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ramp:
    """One attribute's path. ``wrap`` makes it a circle (hue): values are taken modulo
    ``wrap`` and ``end`` may lie outside ``[0, wrap)`` to choose the direction."""

    start: float
    end: float
    wrap: int | None = None

    def at(self, fraction: float) -> int:
        value = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
        if self.wrap is not None:
            return round(value) % self.wrap
        return round(value)

    @property
    def target(self) -> int:
        return self.at(1.0)


@dataclass
class Transition:
    cluster_id: int
    ramps: dict[str, Ramp]
    started: float
    duration: float
    on_done: Callable[[], None] | None = None
    handle: asyncio.TimerHandle | None = field(default=None, repr=False)

    def fraction(self, now: float) -> float:
        if self.duration <= 0:
            return 1.0
        return (now - self.started) / self.duration

    def remaining(self, now: float) -> float:
        return max(0.0, self.started + self.duration - now)

    def value(self, name: str, now: float) -> int:
        return self.ramps[name].at(self.fraction(now))

    def describe(self, now: float) -> dict[str, object]:
        return {
            "cluster": self.cluster_id,
            "duration": round(self.duration, 3),
            "remaining": round(self.remaining(now), 3),
            "target": {name: ramp.target for name, ramp in self.ramps.items()},
        }


def hue_ramp(current: int, target: int, direction: int, modulus: int) -> Ramp:
    """ZCL hue directions: 0 shortest, 1 longest, 2 up, 3 down."""
    up = (target - current) % modulus
    down = up - modulus if up else 0
    if direction == 0:
        delta = up if up <= modulus // 2 else down
    elif direction == 1:
        delta = down if up <= modulus // 2 else up
    elif direction == 2:
        delta = up
    else:
        delta = down
    return Ramp(current, current + delta, wrap=modulus)


def tenths(transition_time: int | None, default: float = 0.0) -> float:
    """ZCL transition times are in tenths of a second; 0xFFFF means "use default"."""
    if transition_time is None or transition_time == 0xFFFF:
        return default
    return transition_time / 10.0
