"""Fakes for unit tests of the lights domain and API (acceptance tests use the emulator)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from gateway.domain.lights import LightsService
from gateway.domain.lights.model import (
    Capabilities,
    DiscoveredLight,
    LightAddress,
    LightCommand,
    LightRefused,
    LightType,
    LightUnreachable,
)
from gateway.domain.radio import RadioBusy, RadioUnavailable
from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import DeconzHarness, harness

EXTENDED = Capabilities(
    level=True,
    hue_sat=True,
    enhanced_hue=True,
    xy=True,
    ct=True,
    colorloop=True,
    identify=True,
    ct_min=153,
    ct_max=500,
    color_capabilities=0x1F,
)
CT_ONLY = Capabilities(
    level=True, ct=True, identify=True, ct_min=153, ct_max=454, color_capabilities=0x10
)
DIMMABLE = Capabilities(level=True, identify=True)
PLUG = Capabilities(identify=True)


def discovered(
    index: int,
    caps: Capabilities = EXTENDED,
    kind: LightType = LightType.EXTENDED_COLOR,
    **state: Any,
) -> DiscoveredLight:
    return DiscoveredLight(
        address=LightAddress(f"00:17:88:01:0e:00:00:{index:02x}", 11),
        type=kind,
        manufacturer="Signify Netherlands B.V.",
        model="LCT015",
        swversion="1.104.2",
        capabilities=caps,
        state={"on": True, "bri": 200, **state},
    )


@dataclass
class FakeTransport:
    """Records commands; can be down, busy, or make one light fail."""

    up: bool = True
    busy_with: str | None = None
    sent: list[tuple[LightAddress, LightCommand]] = field(default_factory=list)
    left: list[LightAddress] = field(default_factory=list)
    unreachable: set[LightAddress] = field(default_factory=set)
    refuse: dict[type, str] = field(default_factory=dict)
    fail_after: int | None = None  # go down after this many commands

    @property
    def radio_up(self) -> bool:
        return self.up

    def check_ready(self) -> None:
        if not self.up:
            raise RadioUnavailable("Not connected")
        if self.busy_with:
            raise RadioBusy(self.busy_with)

    async def send(self, address: LightAddress, caps: Capabilities, command: LightCommand) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            self.up = False
        self.check_ready()
        if address in self.unreachable:
            raise LightUnreachable(str(address))
        if type(command) in self.refuse:
            raise LightRefused(self.refuse[type(command)])
        self.sent.append((address, command))

    async def leave(self, address: LightAddress) -> None:
        self.check_ready()
        if address in self.unreachable:
            raise LightUnreachable(str(address))
        self.left.append(address)


@dataclass
class LightsRig:
    h: DeconzHarness
    service: LightsService
    transport: FakeTransport
    network: FakeNetwork
    key: str

    @property
    def client(self):
        return self.h.client

    def url(self, path: str = "") -> str:
        return f"/api/{self.key}/lights{path}"


@asynccontextmanager
async def lights_rig(url: str, *, hue_client: bool = False) -> AsyncIterator[LightsRig]:
    network = FakeNetwork()
    async with harness(url, network=network) as h:
        transport = FakeTransport()
        service = LightsService(
            h.store,
            h.services.events,
            transport=transport,
            permit=h.services.config.set_permitjoin,
            notify_all=lambda: h.services.config.current.websocketnotifyall,
            clock=h.clock,
        )
        await service.load()
        h.services.lights = service
        key = await h.new_key("hue_app#phone" if hue_client else "test#client")
        try:
            yield LightsRig(h, service, transport, network, key)
        finally:
            await service.stop()
