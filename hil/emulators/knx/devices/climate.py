"""Climate devices: a room thermostat and a split unit / fan coil.

Why together: both carry a setpoint (DPT 9.001) and raw one-byte enumerations (mode, fan
speed) that the emulator stores and echoes without interpreting, as DPT 20.102 / 5.010 put
them on the wire; the thermostat also reports the room temperature on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import ClassVar

from ..bus import Payload
from .base import Device
from .codecs import bit, byte_from_knx, byte_to_knx, float16_from_knx, float16_to_knx, read_bit


@dataclass(kw_only=True, eq=False)
class _SetpointAndMode(Device):
    """What a thermostat and a split unit share: a setpoint (DPT 9.001) and a one-byte mode,
    each echoed on its status object (``setpoint_status``, ``mode_status``)."""

    current_setpoint: float = 21.0
    current_mode: int = 1

    def _on_setpoint(self, payload: Payload) -> None:
        self.current_setpoint = float16_from_knx(payload)
        self.report("setpoint_status", float16_to_knx(self.current_setpoint))

    def _on_mode(self, payload: Payload) -> None:
        self.current_mode = byte_from_knx(payload)
        self.report("mode_status", byte_to_knx(self.current_mode))

    def _setpoint_state(self) -> Payload:
        return float16_to_knx(self.current_setpoint)

    def _mode_state(self) -> Payload:
        return byte_to_knx(self.current_mode)


@dataclass(kw_only=True, eq=False)
class Thermostat(_SetpointAndMode):
    """Room thermostat: actual temperature (DPT 9.001, reported), setpoint (DPT 9.001),
    mode (1 byte, DPT 20.102/5.010) and chrono enable (DPT 1.003), each with status."""

    type: ClassVar[str] = "thermostat"
    commands: ClassVar[dict[str, str]] = {
        "setpoint": "_on_setpoint",
        "mode": "_on_mode",
        "chrono": "_on_chrono",
    }
    statuses: ClassVar[dict[str, str]] = {
        "temperature": "_temperature_state",
        "setpoint_status": "_setpoint_state",
        "mode_status": "_mode_state",
        "chrono_status": "_chrono_state",
    }
    temperature: str
    setpoint: str
    setpoint_status: str | None = None
    mode: str | None = None
    mode_status: str | None = None
    chrono: str | None = None
    chrono_status: str | None = None
    actual_temperature: float = 21.0
    current_setpoint: float = 21.0
    current_mode: int = 1
    chrono_enabled: bool = False
    report_interval: float = 0.0  # > 0: send the actual temperature periodically
    _reporter: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def set_actual_temperature(self, value: float) -> None:
        """Simulate the room changing: the new temperature is reported on the bus."""
        self.actual_temperature = value
        self.report("temperature", float16_to_knx(value), delay=0)

    def activate(self) -> None:
        """Begin periodic reports if ``report_interval`` is set."""
        if self.report_interval > 0 and self._reporter is None:
            self._reporter = asyncio.get_running_loop().create_task(self._report_loop())

    def deactivate(self) -> None:
        """Stop periodic reports."""
        if self._reporter is not None:
            self._reporter.cancel()
            self._reporter = None

    async def _report_loop(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self.report_interval)
                self.report("temperature", float16_to_knx(self.actual_temperature), delay=0)

    def _on_chrono(self, payload: Payload) -> None:
        self.chrono_enabled = read_bit(payload)
        self.report("chrono_status", bit(self.chrono_enabled))

    def _temperature_state(self) -> Payload:
        return float16_to_knx(self.actual_temperature)

    def _chrono_state(self) -> Payload:
        return bit(self.chrono_enabled)


@dataclass(kw_only=True, eq=False)
class HvacUnit(_SetpointAndMode):
    """Split unit / fan coil: power (DPT 1.001), setpoint (DPT 9.001), mode and fan speed
    (1 byte each), all with status."""

    type: ClassVar[str] = "hvac"
    commands: ClassVar[dict[str, str]] = {
        "power": "_on_power",
        "setpoint": "_on_setpoint",
        "mode": "_on_mode",
        "fan": "_on_fan",
    }
    statuses: ClassVar[dict[str, str]] = {
        "power_status": "_power_state",
        "setpoint_status": "_setpoint_state",
        "mode_status": "_mode_state",
        "fan_status": "_fan_state",
    }
    power: str
    power_status: str | None = None
    setpoint: str | None = None
    setpoint_status: str | None = None
    mode: str | None = None
    mode_status: str | None = None
    fan: str | None = None
    fan_status: str | None = None
    on: bool = False
    current_setpoint: float = 24.0
    current_mode: int = 4
    fan_speed: int = 0

    def _on_power(self, payload: Payload) -> None:
        self.on = read_bit(payload)
        self.report("power_status", bit(self.on))

    def _on_fan(self, payload: Payload) -> None:
        self.fan_speed = byte_from_knx(payload)
        self.report("fan_status", byte_to_knx(self.fan_speed))

    def _power_state(self) -> Payload:
        return bit(self.on)

    def _fan_state(self) -> Payload:
        return byte_to_knx(self.fan_speed)
