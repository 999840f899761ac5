"""The discovery supervisor: settings switch protocols, failures stay local, changes re-announce."""

from __future__ import annotations

import asyncio

from gateway.discovery import BridgeIdentity, Discovery, identity_source
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


class Stored:
    name = "Hall"
    uuid = "u-9"


class Host:
    def __init__(self, ip: str) -> None:
        self.ipaddress = ip


class Config:
    bridgeid = "00212EFFFF0A0B0C"
    current = Stored()

    def __init__(self, ip: str) -> None:
        self.ip = ip

    def system_info(self) -> Host:
        return Host(self.ip)


def test_identity_uses_the_host_address_when_listening_on_every_interface():
    config = Config("192.0.2.40")
    identity = identity_source(config, "0.0.0.0", 80)()
    assert identity == BridgeIdentity("00212EFFFF0A0B0C", "Hall", "u-9", "192.0.2.40", 80)
    config.ip = "192.0.2.41"  # DHCP gave a new address: the next look sees it
    assert identity_source(config, "0.0.0.0", 80)().host == "192.0.2.41"


def test_a_specific_listen_address_is_announced_and_loopback_is_not():
    assert identity_source(Config("192.0.2.40"), "198.51.100.3", 8080)().host == "198.51.100.3"
    assert identity_source(Config("127.0.0.1"), "0.0.0.0", 80)() is None
    assert identity_source(Config("192.0.2.40"), "127.0.0.1", 80)() is None
    assert identity_source(Config("192.0.2.40"), "127.0.0.1", 80, allow_loopback=True)()
