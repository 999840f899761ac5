"""Fixtures for the KNX tests: the emulator on loopback and links that always get stopped."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator, ServerOptions, default_devices

# Settings made for tests: a short probe interval and request timeout keep the folder fast;
# the behaviour is the same as with the defaults, only the numbers shrink.
FAST = {"probe_interval": 0.3, "request_timeout": 1.0}
# "Fails at once": well under any request timeout the tests use (1 s and up), yet with
# room for a busy CI machine that preempts the test process for a while.
AT_ONCE = 0.25


def link_settings(port: int, mode: str = "tunnel_udp", **overrides: Any) -> KnxSection:
    """Settings for a link to 127.0.0.1:``port``."""
    values: dict[str, Any] = {"mode": mode, "gateway_host": "127.0.0.1", "gateway_port": port}
    values.update(FAST)
    values.update(overrides)
    return KnxSection(**values)


async def free_port() -> int:
    """A UDP+TCP port where nothing listens (the emulator's own pick, then released)."""
    probe = KnxEmulator(tcp=True)
    await probe.start()
    port = probe.port
    await probe.stop()
    return port


@pytest.fixture
async def emulator() -> AsyncIterator[KnxEmulator]:
    """The emulator with the default device set, UDP and TCP on one free port."""
    emu = KnxEmulator(default_devices(), tcp=True, options=ServerOptions(heartbeat_timeout=30))
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def make_link() -> AsyncIterator[Callable[[KnxSection], KnxLink]]:
    """Factory for links; every link made is stopped after the test."""
    links: list[KnxLink] = []

    def make(settings: KnxSection, **kwargs: Any) -> KnxLink:
        link = KnxLink(settings, **kwargs)
        links.append(link)
        return link

    yield make
    for link in links:
        await link.stop()


@pytest.fixture(params=["tunnel_udp", "tunnel_tcp"])
def tunnel_mode(request: pytest.FixtureRequest) -> str:
    """Run a test over UDP and over TCP tunnelling."""
    return str(request.param)


@pytest.fixture
async def link(
    emulator: KnxEmulator, make_link: Callable[[KnxSection], KnxLink]
) -> AsyncIterator[KnxLink]:
    """A connected UDP link to the emulator."""
    connected = make_link(link_settings(emulator.port))
    await connected.start()
    await connected.wait_for_state(LinkState.CONNECTED, 5)
    yield connected


def replace(settings: KnxSection, **changes: Any) -> KnxSection:
    return dataclasses.replace(settings, **changes)
