"""The radio-neutral port between the domain services and the Zigbee radio.

Why a port: the configuration, lights and touchlink services must work the same with a
ZNP stick, a ConBee, the emulator or no radio at all, and the API must never import zigpy.
``gateway.zigbee.RadioSupervisor`` implements :class:`ZigbeeNetwork`; tests may fake it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class RadioState(StrEnum):
    """Where the supervisor is in its life cycle (see DESIGN.md)."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    RUNNING = "running"
    BUSY = "busy"
    LOST = "lost"


class RadioUnavailable(Exception):
    """No radio, or it is not connected: answered as 503 with deCONZ error 950."""


class RadioBusy(Exception):
    """An exclusive operation (touchlink, channel change) is running: 503, error 951."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"radio busy: {operation}")
        self.operation = operation


class RadioUnsupported(Exception):
    """The radio kind cannot do this (e.g. inter-PAN on a ConBee): 503 with the reason."""


@dataclass(frozen=True)
class NetworkSnapshot:
    """What the API shows about the Zigbee network, read from the radio."""

    channel: int
    pan_id: int
    extended_pan_id: str
    coordinator_ieee: str  # "00:21:2e:ff:ff:00:73:9f"
    firmware_version: str | None = None


class ZigbeeNetwork(Protocol):
    """What the domain services may ask of the radio."""

    @property
    def state(self) -> RadioState: ...

    @property
    def reachable(self) -> bool:
        """True while the radio answers (running or busy)."""
        ...

    @property
    def busy(self) -> str | None:
        """The exclusive operation in progress, if any."""
        ...

    def snapshot(self) -> NetworkSnapshot | None:
        """The network as last seen; None before the radio was ever up."""
        ...

    async def permit_join(self, seconds: int) -> None:
        """Open the network for ``seconds`` (0 closes it). Raises RadioUnavailable/RadioBusy."""
        ...

    async def change_channel(self, channel: int) -> None:
        """Move the network to ``channel``. Raises RadioUnavailable/RadioBusy."""
        ...

    async def reset_network(self) -> None:
        """Leave the current network and form a new one (config/reset resetGW)."""
        ...
