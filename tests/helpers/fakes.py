"""Fakes for unit tests of the domain and API layers (acceptance tests use the real radio)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.domain.radio import NetworkSnapshot, RadioBusy, RadioState, RadioUnavailable


@dataclass
class FakeNetwork:
    """A ZigbeeNetwork that records what it was asked and can be made unreachable or busy."""

    channel: int = 15
    pan_id: int = 0x1A62
    coordinator_ieee: str = "00:12:4b:00:1c:a1:b8:46"
    firmware_version: str | None = "20230507"
    up: bool = True
    busy_with: str | None = None
    calls: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def state(self) -> RadioState:
        if not self.up:
            return RadioState.LOST
        return RadioState.BUSY if self.busy_with else RadioState.RUNNING

    @property
    def reachable(self) -> bool:
        return self.up

    @property
    def busy(self) -> str | None:
        return self.busy_with

    def snapshot(self) -> NetworkSnapshot | None:
        return NetworkSnapshot(
            self.channel,
            self.pan_id,
            "dd:dd:dd:dd:dd:dd:dd:dd",
            self.coordinator_ieee,
            self.firmware_version,
        )

    def _check(self) -> None:
        if not self.up:
            raise RadioUnavailable("Not connected")
        if self.busy_with:
            raise RadioBusy(self.busy_with)

    async def permit_join(self, seconds: int) -> None:
        self._check()
        self.calls.append(("permit_join", seconds))

    async def change_channel(self, channel: int) -> None:
        self._check()
        self.calls.append(("change_channel", channel))
        self.channel = channel

    async def reset_network(self) -> None:
        self._check()
        self.calls.append(("reset_network", None))


class FakeClock:
    """A monotonic clock tests move by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
