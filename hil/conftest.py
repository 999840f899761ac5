"""Fixtures of the HIL suite: one rig per session, the API key and the paired lights.

Why session-wide: starting the peers and the gateway takes a few seconds, and most
scenarios only need a running rig. There is one session rig per Zigbee variant
(:func:`pytest_generate_tests`): on the virtual rig every scenario runs on the ZNP emulator
and again on the ConBee emulator (ids ``[znp]`` and ``[deconz]``), one rig after the
other. Scenarios that break it (unplug, power cut, tunnel cut, channel change) put it back
before they end, so the order of the scenarios does not matter and each one also runs
alone (``pytest hil -k unplug``).

The rig is synchronous (processes and threads, :mod:`hil.processes`); each scenario
talks to it from its own event loop over sockets.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hil.api import Deconz, EventStream, Thinknx, until
from hil.knx_monitor import BusMonitor
from hil.rig import Rig
from hil.rig_environment import RigConfigError
from hil.zigbee_side import zigbee_variants

PAIRING_TIMEOUT = 90.0  # a real lamp may take a while to find an open network
RESCUE_AFTER = 5.0  # an emulated lamp joins within a second when it can


RADIO_INDEPENDENT = "radio_independent"
_FIGURES = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{RADIO_INDEPENDENT}: a scenario that never touches the Zigbee side (KNX, Thinknx); "
        "it runs on the first Zigbee variant only",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        variants = zigbee_variants()
        rigs = [
            Rig.from_environment(config.rootpath / ".hil-describe-only", stick=v) for v in variants
        ]
    except RigConfigError as exc:
        return [f"HIL rig: configuration error: {exc}"]
    return [f"HIL rig [{v}]: {rig.describe()}" for v, rig in zip(variants, rigs, strict=True)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every scenario on the rig runs once per Zigbee variant (ZNP and deCONZ emulators on
    the virtual rig; the one real stick on hardware), with one session rig per variant.

    Why here and not ``params=`` on the fixture: the variants come from the environment, and
    scenarios that never touch the Zigbee side (``radio_independent``) run only once.
    """
    if "zigbee_variant" not in metafunc.fixturenames:
        return
    try:
        variants = zigbee_variants()
    except RigConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    if metafunc.definition.get_closest_marker(RADIO_INDEPENDENT) is not None:
        variants = variants[:1]
    metafunc.parametrize("zigbee_variant", variants, indirect=True, scope="session")


@pytest.fixture(scope="session")
def zigbee_variant(request: pytest.FixtureRequest) -> str:
    """The Zigbee side of this run of the scenario: ``znp`` or ``deconz``."""
    return str(request.param)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record a measured figure; they are printed together at the end of the run."""
    recorded = request.config.stash.setdefault(_FIGURES, [])
    return lambda line: recorded.append(f"{request.node.nodeid}: {line}")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    recorded = config.stash.get(_FIGURES, [])
    if recorded:
        terminalreporter.section("HIL figures")
        for line in recorded:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def rig(zigbee_variant: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """The running rig; a failure to start it is an error of every scenario, never a skip."""
    workdir = tmp_path_factory.mktemp(f"hil-{zigbee_variant}")
    the_rig = Rig.from_environment(workdir, stick=zigbee_variant)
    the_rig.start()
    try:
        yield the_rig
    finally:
        the_rig.stop()


@pytest.fixture(scope="session")
def apikey(rig: Rig) -> str:
    """A key for the suite, created with the admin credentials as an installer would."""
    response = httpx.post(
        f"{rig.deconz_url}/api", json={"devicetype": "hil#suite"}, auth=rig.admin, timeout=30
    )
    assert response.status_code == 200, response.text
    return str(response.json()[0]["success"]["username"])


def _known(lights: dict[str, Any], ieee: str) -> bool:
    prefix = ieee.upper() + "-"
    return any(str(li.get("uniqueid", "")).upper().startswith(prefix) for li in lights.values())


async def pair(rig: Rig, key: str, *ieees: str, rescue: bool = False) -> None:
    """Make sure every light in ``ieees`` is one of the gateway's lights.

    The network is opened (``PUT config {"permitjoin": ...}``) only if one is missing, and
    closed again, so a scenario starts with the network closed. ``rescue`` (for clean-up
    after a failed scenario only) resets a light that is stuck in the radio's network
    without being one of the gateway's lights, where the rig can (virtual).
    """
    wanted = [i for i in dict.fromkeys(ieees) if i]
    async with Deconz(rig.deconz_url, key) as deconz:
        await until(deconz.radio_up, timeout=60, what="the radio running (rfconnected)")
        lights = await deconz.lights()
        if all(_known(lights, i) for i in wanted):
            return
        opened = await deconz.put("config", {"permitjoin": 120})
        assert opened.status_code == 200, opened.text
        try:
            deadline = time.monotonic() + PAIRING_TIMEOUT
            rescue_at = time.monotonic() + RESCUE_AFTER if rescue else math.inf
            while True:
                lights = await deconz.lights()
                if all(_known(lights, i) for i in wanted):
                    break
                now = time.monotonic()
                assert now < deadline, (
                    f"lights {wanted} did not join within {PAIRING_TIMEOUT:g} s "
                    f"(a real light must be factory new to join); known: "
                    f"{[li.get('uniqueid') for li in lights.values()]}"
                )
                if now > rescue_at:
                    rescue_at = math.inf
                    for ieee in wanted:
                        if not _known(lights, ieee):
                            await rig.zigbee.rescue(ieee)
                await asyncio.sleep(0.1)
        finally:
            await deconz.put("config", {"permitjoin": 0})


@pytest_asyncio.fixture
async def paired(rig: Rig, apikey: str) -> str:
    """The rig's command light is paired; returns its IEEE address (skips without one).

    Function-scoped (a GET when already paired) so that a scenario lists the hardware it
    needs most before it, and a rig lacking that is told so rather than "no light".
    """
    light = rig.need(rig.zigbee.light, rig.zigbee.missing_light)
    await pair(rig, apikey, light)
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


@pytest_asyncio.fixture
async def knx_connected(rig: Rig) -> None:
    """The gateway's KNX link is connected (as its journal says) before the scenario."""

    async def connected() -> bool:
        return rig.process.knx_link_state() == "connected"

    await until(connected, timeout=45, what="the KNX link connected (gateway log)")


@pytest_asyncio.fixture
async def bus(rig: Rig) -> AsyncIterator[BusMonitor]:
    """A second tunnel straight to the KNX interface (not through the relay)."""
    host, port = rig.knx.interface
    async with BusMonitor(host, port) as monitor:
        yield monitor
