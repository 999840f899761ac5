"""What every simulated actuator does: route telegrams to its handlers, report, answer reads.

Each device lists the group addresses it obeys (``commands``) and the ones it answers reads
on (``statuses``). On a command it updates its state and, after ``feedback_delay``, writes
the new state to its status address, as a real actuator does; a GroupValueRead on a status
address is answered with a GroupValueResponse after ``read_delay``. The kinds of device
(:mod:`.switching`, :mod:`.blind`, :mod:`.climate`, :mod:`.scenes`, :mod:`.value`) only
declare those tables and their state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from xknx.exceptions import ConversionError, CouldNotParseTelegram

from ..bus import BusTelegram, Payload, TelegramKind, ga_text

log = logging.getLogger(__name__)


class DeviceHost(Protocol):
    """What a device needs from the emulator: a way to put telegrams on the line later."""

    def send_from(
        self, device: Device, ga: str, kind: TelegramKind, payload: Payload, delay: float
    ) -> None:
        """Put a telegram from ``device`` on the bus after ``delay`` seconds."""


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
