"""Simulated KNX actuators: plain dataclasses of group addresses and state.

Each device lists the group addresses it obeys (``commands``) and the ones it answers reads
on (``statuses``). On a command it updates its state and, after ``feedback_delay``, writes
the new state to its status address, as a real actuator does; a GroupValueRead on a status
address is answered with a GroupValueResponse after ``read_delay``. Values are encoded with
xknx's transcoders directly (not the gateway's ``dpt.py``), so the emulator stays an
independent peer: a bug in the gateway's codec cannot hide behind the same bug here.

One-byte enumerations (thermostat and HVAC mode, fan speed) are carried raw, the way DPT
20.102 / 5.010 put them on the wire; the emulator does not interpret the numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from xknx.dpt.dpt import DPTBase
from xknx.dpt.dpt_5 import DPTScaling, DPTValue1Ucount
from xknx.dpt.dpt_9 import DPT2ByteFloat
from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.exceptions import ConversionError, CouldNotParseTelegram

from .bus import BusTelegram, Payload, TelegramKind, ga_text

log = logging.getLogger(__name__)


class DeviceHost(Protocol):
    """What a device needs from the emulator: a way to put telegrams on the line later."""

    def send_from(
        self, device: Device, ga: str, kind: TelegramKind, payload: Payload, delay: float
    ) -> None:
        """Put a telegram from ``device`` on the bus after ``delay`` seconds."""


# --- codecs (xknx transcoders; the emulator's own view of the bits) -------------------------


def bit(value: bool) -> Payload:
    """DPT 1."""
    return DPTBinary(1 if value else 0)


def read_bit(payload: Payload) -> bool:
    """DPT 1; a one-byte payload is tolerated as some panels send it."""
    if isinstance(payload, DPTBinary):
        return bool(payload.value & 1)
    return bool(payload.value and payload.value[-1] & 1)


def _codec(transcoder: type[DPTBase]) -> tuple[Callable[[Any], Payload], Callable[[Payload], Any]]:
    return transcoder.to_knx, transcoder.from_knx


percent_to_knx, percent_from_knx = _codec(DPTScaling)
float16_to_knx, float16_from_knx = _codec(DPT2ByteFloat)
byte_to_knx, byte_from_knx = _codec(DPTValue1Ucount)


def value_codec(dpt: str) -> tuple[Callable[[Any], Payload], Callable[[Payload], Any]]:
    """Codec for a configurable DPT ("9.001", "14", "5.001", "1" ...) via xknx's lookup."""
    transcoder = DPTBase.parse_transcoder(dpt)
    if transcoder is None:
        raise ValueError(f"unknown DPT {dpt!r}")
    if transcoder.payload_type is DPTBinary and transcoder.payload_length == 1:
        return (lambda v: bit(bool(v))), read_bit
    return transcoder.to_knx, transcoder.from_knx


# --- base -------------------------------------------------------------------------------


@dataclass(kw_only=True, eq=False)
class Device:
    """Common behaviour: routing telegrams to handlers, delayed feedback and read answers."""

    type: ClassVar[str] = "device"
    name: str
    address: str = "1.1.1"
    feedback_delay: float = 0.03
    read_delay: float = 0.02
    writes_received: int = field(default=0, init=False)
    reads_answered: int = field(default=0, init=False)
    _host: DeviceHost | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for role in (*self.command_roles(), *self.status_roles()):
            value = getattr(self, role)
            if value is not None:
                setattr(self, role, ga_text(value))

    # What each subclass declares: attribute names holding group addresses.
    commands: ClassVar[dict[str, str]] = {}  # role -> handler method name
    statuses: ClassVar[dict[str, str]] = {}  # role -> getter method name

    @classmethod
    def command_roles(cls) -> tuple[str, ...]:
        return tuple(cls.commands)

    @classmethod
    def status_roles(cls) -> tuple[str, ...]:
        return tuple(cls.statuses)

    def bind(self, host: DeviceHost) -> None:
        """Attach to the emulator that carries this device's telegrams."""
        self._host = host

    def activate(self) -> None:
        """The emulator started: begin any periodic behaviour (inside the event loop)."""

    def deactivate(self) -> None:
        """The emulator stopped: end periodic behaviour and motion."""

    def group_addresses(self) -> dict[str, str]:
        """Role -> group address for every configured object."""
        roles = (*self.command_roles(), *self.status_roles())
        return {role: getattr(self, role) for role in roles if getattr(self, role) is not None}

    def on_telegram(self, telegram: BusTelegram) -> None:
        """React to a telegram on the line: obey writes, answer reads on status objects."""
        if telegram.kind == "write" and telegram.payload is not None:
            for role, handler in self.commands.items():
                if getattr(self, role) == telegram.destination:
                    self.writes_received += 1
                    try:
                        getattr(self, handler)(telegram.payload)
                    except (ConversionError, CouldNotParseTelegram, ValueError) as exc:
                        # A real actuator ignores a telegram it cannot decode.
                        log.info("device=%s ignored %s: %s", self.name, telegram.destination, exc)
        elif telegram.kind == "read":
            payload = self.read_payload(telegram.destination)
            if payload is not None and self._host is not None:
                self.reads_answered += 1
                self._host.send_from(
                    self, telegram.destination, "response", payload, self.read_delay
                )

    def read_payload(self, ga: str) -> Payload | None:
        """What a read on ``ga`` is answered with (None: not a readable object of ours)."""
        for role, getter in self.statuses.items():
            if getattr(self, role) == ga:
                payload: Payload = getattr(self, getter)()
                return payload
        return None

    def report(self, role: str, payload: Payload, delay: float | None = None) -> None:
        """Write ``payload`` to the status object ``role`` (if configured) after the delay."""
        ga = getattr(self, role)
        if ga is not None and self._host is not None:
            wait = self.feedback_delay if delay is None else delay
            self._host.send_from(self, ga, "write", payload, wait)


# --- actuators --------------------------------------------------------------------------


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


@dataclass(kw_only=True, eq=False)
class Thermostat(Device):
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

    def _on_setpoint(self, payload: Payload) -> None:
        self.current_setpoint = float16_from_knx(payload)
        self.report("setpoint_status", float16_to_knx(self.current_setpoint))

    def _on_mode(self, payload: Payload) -> None:
        self.current_mode = byte_from_knx(payload)
        self.report("mode_status", byte_to_knx(self.current_mode))

    def _on_chrono(self, payload: Payload) -> None:
        self.chrono_enabled = read_bit(payload)
        self.report("chrono_status", bit(self.chrono_enabled))

    def _temperature_state(self) -> Payload:
        return float16_to_knx(self.actual_temperature)

    def _setpoint_state(self) -> Payload:
        return float16_to_knx(self.current_setpoint)

    def _mode_state(self) -> Payload:
        return byte_to_knx(self.current_mode)

    def _chrono_state(self) -> Payload:
        return bit(self.chrono_enabled)


@dataclass(kw_only=True, eq=False)
class HvacUnit(Device):
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

    def _on_setpoint(self, payload: Payload) -> None:
        self.current_setpoint = float16_from_knx(payload)
        self.report("setpoint_status", float16_to_knx(self.current_setpoint))

    def _on_mode(self, payload: Payload) -> None:
        self.current_mode = byte_from_knx(payload)
        self.report("mode_status", byte_to_knx(self.current_mode))

    def _on_fan(self, payload: Payload) -> None:
        self.fan_speed = byte_from_knx(payload)
        self.report("fan_status", byte_to_knx(self.fan_speed))

    def _power_state(self) -> Payload:
        return bit(self.on)

    def _setpoint_state(self) -> Payload:
        return float16_to_knx(self.current_setpoint)

    def _mode_state(self) -> Payload:
        return byte_to_knx(self.current_mode)

    def _fan_state(self) -> Payload:
        return byte_to_knx(self.fan_speed)


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


@dataclass(kw_only=True, eq=False)
class Value(Device):
    """Analog value object with a configurable DPT ("9.001", "14", "5.001", ...): it takes
    the value written to ``value`` and reports it on ``value_status``."""

    type: ClassVar[str] = "value"
    commands: ClassVar[dict[str, str]] = {"value": "_on_value"}
    statuses: ClassVar[dict[str, str]] = {"value_status": "_value_state"}
    value: str
    value_status: str | None = None
    dpt: str = "9.001"
    current: Any = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        value_codec(self.dpt)  # unknown DPTs fail at configuration time

    def _on_value(self, payload: Payload) -> None:
        _, from_knx = value_codec(self.dpt)
        self.current = from_knx(payload)
        self.report("value_status", self._value_state())

    def _value_state(self) -> Payload:
        to_knx, _ = value_codec(self.dpt)
        return to_knx(self.current)


DEVICE_TYPES: dict[str, type[Device]] = {
    cls.type: cls for cls in (Switch, Dimmer, Blind, Thermostat, HvacUnit, Scene, Button, Value)
}


def ensure_payload(payload: object) -> Payload:
    """Type guard for telegram payloads (tests and the inject API pass them in)."""
    if not isinstance(payload, DPTBinary | DPTArray):
        raise TypeError(f"payload must be DPTBinary or DPTArray, got {payload!r}")
    return payload
