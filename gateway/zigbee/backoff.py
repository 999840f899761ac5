"""Capped exponential backoff for reconnecting to the radio.

Why capped: a stick that was unplugged comes back when someone plugs it in again, which
may be seconds or days later. Retrying fast at first makes a short glitch (USB reset)
nearly invisible; the cap keeps a missing stick from spinning the CPU or flooding the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    initial: float = 0.5
    factor: float = 2.0
    cap: float = 10.0
    _next: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.cap < self.initial or self.factor < 1:
            raise ValueError("need 0 < initial <= cap and factor >= 1")
        self._next = self.initial

    def next_delay(self) -> float:
        """The delay before the next attempt; each call grows it up to the cap."""
        delay = self._next
        self._next = min(self._next * self.factor, self.cap)
        return delay

    def reset(self) -> None:
        """After a success the next failure starts again with a short delay."""
        self._next = self.initial
