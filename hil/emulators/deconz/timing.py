"""How long the stick itself takes (the air and the lamps use the ZNP emulator's
:class:`~hil.emulators.znp.timing.Timing`, since they are the same simulated network)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StickTiming:
    network_start: float = 0.6  # change_network_state CONNECTED until CONNECTED
    network_stop: float = 0.1  # ... OFFLINE until OFFLINE
    reboot: float = 0.5  # a reset until the (USB) port is back

    @classmethod
    def fast(cls) -> StickTiming:
        """For tests: state changes finish before the answer goes out, so zigpy-deconz's
        first device-state poll already sees them (no 1 s poll interval)."""
        return cls(network_start=0.0, network_stop=0.0, reboot=0.02)
