"""Commanded targets that stand until the lamp's reports catch up with them.

Why: a lamp reports its attributes while it fades. When a second command arrives during
the fade of a first one, the lamp's next reports still describe the first fade (bri 77,
74, ... while the client just asked for 200). Taken at face value they overwrite the newer
command's target, and a GET right after reads a value no client asked for.

The rule (per attribute, each command gets a sequence number): a commanded value stands
until a report *newer than the command* confirms or contradicts it. A report is newer
than the command when it matches the target (the lamp got there), or when it arrives
after the command's transition plus ``grace`` seconds (the lamp has had all the time it
needs; whatever it says now is the truth, e.g. a wall switch or another controller).
Reports in between describe the fade and are dropped for that attribute only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_TRANSITION = 4  # 1/10 s: what a lamp does when no transition time is given
GRACE_S = 1.5  # one report interval (min 1 s) plus radio slack
# How close a report must be to the target to count as confirming it (API units).
TOLERANCE: dict[str, float] = {"bri": 2, "hue": 200, "sat": 2, "ct": 2, "xy": 0.003}


@dataclass(frozen=True)
class Target:
    value: Any
    sequence: int
    until: float  # monotonic time after which reports are taken as they come


def matches(name: str, target: Any, reported: Any) -> bool:
    tolerance = TOLERANCE.get(name)
    if tolerance is None:
        return bool(target == reported)
    if name == "xy":
        if not (isinstance(target, list | tuple) and isinstance(reported, list | tuple)):
            return False
        pairs = zip(target, reported, strict=False)
        return all(abs(float(a) - float(b)) <= tolerance for a, b in pairs)
    try:
        return abs(float(target) - float(reported)) <= tolerance
    except (TypeError, ValueError):
        return False


class PendingTargets:
    """Per light and attribute: the newest commanded value and until when it stands."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, grace: float = GRACE_S) -> None:
        self._clock = clock
        self._grace = grace
        self._sequence = 0
        self._targets: dict[int, dict[str, Target]] = {}

    def commanded(self, light_id: int, applied: dict[str, Any], transition: int | None) -> None:
        """A command the lamp acknowledged: its values are the newest truth for now."""
        self._sequence += 1
        tt = DEFAULT_TRANSITION if transition is None else transition
        until = self._clock() + tt / 10 + self._grace
        targets = self._targets.setdefault(light_id, {})
        for name, value in applied.items():
            targets[name] = Target(value, self._sequence, until)

    def filter_report(self, light_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """The reported changes that may be applied; stale ones are left out."""
        targets = self._targets.get(light_id)
        if not targets:
            return changes
        now = self._clock()
        kept: dict[str, Any] = {}
        for name, value in changes.items():
            target = targets.get(name)
            if target is None:
                kept[name] = value
            elif matches(name, target.value, value):
                del targets[name]  # confirmed: keep the commanded value, no flicker
            elif now >= target.until:
                del targets[name]  # newer than the command: it contradicts it
                kept[name] = value
        if not targets:
            self._targets.pop(light_id, None)
        return kept

    def forget(self, light_id: int) -> None:
        self._targets.pop(light_id, None)
