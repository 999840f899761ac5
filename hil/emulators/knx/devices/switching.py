"""Lighting actuators: a switching channel and a dimmer, each with its status objects.

Why their own module: they are the two devices the gateway's lights and the HIL rig's
switch actuator talk to; both report every change on their status address, as real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..bus import Payload
from .base import Device
from .codecs import bit, percent_from_knx, percent_to_knx, read_bit


@dataclass(kw_only=True, eq=False)
class Switch(Device):
    """Switching actuator channel: command and status, DPT 1.001."""

    type: ClassVar[str] = "switch"
    commands: ClassVar[dict[str, str]] = {"switch": "_on_switch"}
    statuses: ClassVar[dict[str, str]] = {"switch_status": "_status"}
    switch: str
    switch_status: str | None = None
    on: bool = False

    def _on_switch(self, payload: Payload) -> None:
        self.on = read_bit(payload)
        self.report("switch_status", bit(self.on))

    def _status(self) -> Payload:
        return bit(self.on)


@dataclass(kw_only=True, eq=False)
class Dimmer(Device):
    """Dimming actuator: switch (DPT 1.001) and brightness % (DPT 5.001), both with status."""

    type: ClassVar[str] = "dimmer"
    commands: ClassVar[dict[str, str]] = {"switch": "_on_switch", "brightness": "_on_brightness"}
    statuses: ClassVar[dict[str, str]] = {
        "switch_status": "_switch_state",
        "brightness_status": "_brightness_state",
    }
    switch: str
    switch_status: str | None = None
    brightness: str
    brightness_status: str | None = None
    level: int = 0  # 0..100 %
    on_level: int = 100  # level restored by "switch on"

    def _on_switch(self, payload: Payload) -> None:
        self._set_level(self.on_level if read_bit(payload) else 0)

    def _on_brightness(self, payload: Payload) -> None:
        self._set_level(int(percent_from_knx(payload)))

    def _set_level(self, level: int) -> None:
        self.level = level
        if level:
            self.on_level = level
        self.report("switch_status", bit(level > 0))
        self.report("brightness_status", percent_to_knx(level))

    def _switch_state(self) -> Payload:
        return bit(self.level > 0)

    def _brightness_state(self) -> Payload:
        return percent_to_knx(self.level)
