"""Fixtures of the HIL suite: one rig per session, the API key and the paired lights.

Why session-wide: starting the peers and the gateway takes a few seconds, and most
scenarios only need a running rig. Scenarios that break it (unplug, power cut, tunnel
cut, channel change) put it back before they end, so the order of the scenarios does not
matter and each one also runs alone (``pytest hil -k unplug``).

The rig is synchronous (processes and threads, :mod:`hil.processes`); each scenario
talks to it from its own event loop over sockets.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hil.api import ADMIN, Deconz, EventStream, Thinknx
from hil.rig import Rig, RigConfigError

PAIRING_TIMEOUT = 90.0  # a real lamp may take a while to find an open network


def pytest_report_header(config: pytest.Config) -> str:
    try:
        rig = Rig.from_environment(config.rootpath / ".hil-describe-only")
    except RigConfigError as exc:
        return f"HIL rig: configuration error: {exc}"
    return f"HIL rig: {rig.describe()}"


@pytest.fixture(scope="session")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """The running rig; a failure to start it is an error of every scenario, never a skip."""
    the_rig = Rig.from_environment(tmp_path_factory.mktemp("hil"))
    the_rig.start()
    try:
        yield the_rig
    finally:
        the_rig.stop()


@pytest.fixture(scope="session")
def apikey(rig: Rig) -> str:
    """A key for the suite, created with the admin credentials as an installer would."""
    response = httpx.post(
        f"{rig.deconz_url}/api", json={"devicetype": "hil#suite"}, auth=ADMIN, timeout=30
    )
    assert response.status_code == 200, response.text
    return str(response.json()[0]["success"]["username"])


def _lights(rig: Rig, key: str) -> dict[str, Any]:
    response = httpx.get(f"{rig.deconz_url}/api/{key}/lights", timeout=30)
    assert response.status_code == 200, response.text
    lights: dict[str, Any] = response.json()
    return lights


def _known(lights: dict[str, Any], ieee: str) -> bool:
    prefix = ieee.upper() + "-"
    return any(str(li.get("uniqueid", "")).upper().startswith(prefix) for li in lights.values())


def pair(rig: Rig, key: str, *ieees: str) -> None:
    """Make sure every light in ``ieees`` is one of the gateway's lights.

    The network is opened (``PUT config {"permitjoin": ...}``) only if one is missing, and
    closed again, so a scenario starts with the network closed.
    """
    wanted = [i for i in dict.fromkeys(ieees) if i]
    config_url = f"{rig.deconz_url}/api/{key}/config"
    deadline = time.monotonic() + 60
    while True:  # the radio must be running before the network can be opened
        config = httpx.get(config_url, timeout=30).json()
        if config.get("rfconnected") is True:
            break
        assert time.monotonic() < deadline, f"the radio did not come up: {config}"
        time.sleep(0.1)
    if all(_known(_lights(rig, key), i) for i in wanted):
        return
    opened = httpx.put(config_url, json={"permitjoin": 120}, timeout=30)
    assert opened.status_code == 200, opened.text
    try:
        deadline = time.monotonic() + PAIRING_TIMEOUT
        while not all(_known(lights := _lights(rig, key), i) for i in wanted):
            assert time.monotonic() < deadline, (
                f"lights {wanted} did not join within {PAIRING_TIMEOUT:g} s "
                f"(a real light must be factory new to join); known: "
                f"{[li.get('uniqueid') for li in lights.values()]}"
            )
            time.sleep(0.1)
    finally:
        httpx.put(config_url, json={"permitjoin": 0}, timeout=30)


@pytest.fixture(scope="session")
def paired(rig: Rig, apikey: str) -> str:
    """The rig's command light is paired; returns its IEEE address (skips without one)."""
    light = rig.need(rig.zigbee.light, rig.zigbee.missing_light)
    pair(rig, apikey, light)
    return light


@pytest_asyncio.fixture
async def deconz(rig: Rig, apikey: str) -> AsyncIterator[Deconz]:
    async with Deconz(rig.deconz_url, apikey) as client:
        yield client


@pytest_asyncio.fixture
async def events(rig: Rig) -> AsyncIterator[EventStream]:
    async with EventStream(rig.websocket_url) as stream:
        yield stream


@pytest_asyncio.fixture
async def thinknx(rig: Rig) -> AsyncIterator[Thinknx]:
    async with Thinknx(rig.thinknx_url, rig.thinknx_auth) as client:
        yield client
