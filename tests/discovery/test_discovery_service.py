"""The discovery supervisor: settings switch protocols, failures stay local, changes re-announce."""

from __future__ import annotations

import asyncio

from gateway.discovery import BridgeIdentity, Discovery
from gateway.settings import DiscoverySection

IDENTITY = BridgeIdentity("00212EFFFF0A0B0C", "gw", "u-1", "192.0.2.1", 80)


class Recorder:
    def __init__(self, log: list[str], name: str, fail: bool = False) -> None:
        self.log, self.name, self.fail = log, name, fail

    def __call__(self, identity: BridgeIdentity) -> Recorder:
        self.identity = identity
        return self

    async def start(self) -> None:
        self.log.append(f"start {self.name} {self.identity.name}")
        if self.fail:
            raise OSError("port 1900 in use")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")


async def test_a_protocol_that_fails_to_start_leaves_the_other_running():
    log: list[str] = []
    discovery = Discovery(
        DiscoverySection(),
        lambda: IDENTITY,
        factories={"ssdp": Recorder(log, "ssdp", fail=True), "mdns": Recorder(log, "mdns")},
    )
    await discovery.start()
    assert discovery.announcing == ["mdns"]
    await discovery.stop()
    assert discovery.announcing == []
    assert log == ["start ssdp gw", "stop ssdp", "start mdns gw", "stop mdns"]


async def test_settings_switch_each_protocol_off():
    log: list[str] = []
    factories = {"ssdp": Recorder(log, "ssdp"), "mdns": Recorder(log, "mdns")}
    discovery = Discovery(
        DiscoverySection(ssdp=False, mdns=True), lambda: IDENTITY, factories=factories
    )
    await discovery.start()
    assert discovery.announcing == ["mdns"]
    await discovery.stop()
    off = Discovery(DiscoverySection(ssdp=False, mdns=False), lambda: IDENTITY, factories=factories)
    await off.start()
    assert off.announcing == []
    assert log == ["start mdns gw", "stop mdns"]


async def test_a_new_name_is_announced_again_and_no_address_means_waiting():
    log: list[str] = []
    current: list[BridgeIdentity | None] = [None]
    discovery = Discovery(
        DiscoverySection(mdns=False),
        lambda: current[0],
        refresh_s=0.01,
        factories={"ssdp": Recorder(log, "ssdp")},
    )
    await discovery.start()
    assert discovery.announcing == []
    current[0] = IDENTITY
    for _ in range(500):
        if discovery.announcing:
            break
        await asyncio.sleep(0.01)
    assert discovery.announcing == ["ssdp"]
    current[0] = BridgeIdentity(IDENTITY.bridgeid, "renamed", "u-1", "192.0.2.1", 80)
    for _ in range(500):
        if "start ssdp renamed" in log:
            break
        await asyncio.sleep(0.01)
    await discovery.stop()
    assert log == ["start ssdp gw", "stop ssdp", "start ssdp renamed", "stop ssdp"]
