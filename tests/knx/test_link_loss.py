"""A tunnel that goes silent is reported lost within the probe bound, and comes back.

The emulator's ``go_silent()`` stops answering anything (a pulled cable, a crashed
interface) while keeping its state, so only our probe can notice: xknx's own heartbeat
would take about 110 s.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from gateway.knx.errors import KnxUnavailable
from gateway.knx.link import LinkState
from gateway.knx.probe import loss_detection_bound
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator
from tests.knx.conftest import AT_ONCE, link_settings

# How much later than the computed bound the event loop may report it on a loaded CI box.
SLACK = 0.5


def test_default_settings_report_a_silent_tunnel_within_15_seconds() -> None:
    assert loss_detection_bound(KnxSection().probe_interval) <= 15


async def test_silent_tunnel_is_reported_lost_within_the_probe_bound(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = make_link(link_settings(emulator.port, tunnel_mode, probe_interval=0.3))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    emulator.go_silent()
    silent_at = time.monotonic()
    await link.wait_for_state(LinkState.LOST, link.loss_detection_bound + SLACK)
    detected = time.monotonic() - silent_at
    assert detected <= link.loss_detection_bound + SLACK
    assert "tunnel probe failed" in (link.last_error or "")


async def test_silent_tunnel_with_default_probe_interval_is_reported_within_15_seconds(
    make_link, emulator: KnxEmulator
) -> None:
    link = make_link(link_settings(emulator.port, probe_interval=5.0))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    emulator.go_silent()
    silent_at = time.monotonic()
    await link.wait_for_state(LinkState.LOST, 15)
    assert time.monotonic() - silent_at <= 15


async def test_link_reconnects_by_itself_when_the_silent_tunnel_answers_again(
    make_link, emulator: KnxEmulator, tunnel_mode: str
) -> None:
    link = make_link(link_settings(emulator.port, tunnel_mode, probe_interval=0.3))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    emulator.go_silent()
    await link.wait_for_state(LinkState.LOST, link.loss_detection_bound + SLACK)
    emulator.resume()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    with link.subscribe("1/0/2") as feedback:
        await link.write("1/0/1", "1", 1)
        await feedback.get(within=1)


async def test_writes_and_reads_fail_fast_while_the_link_is_lost(
    make_link, emulator: KnxEmulator
) -> None:
    link = make_link(link_settings(emulator.port, probe_interval=0.3, request_timeout=5))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    emulator.go_silent()
    await link.wait_for_state(LinkState.LOST, link.loss_detection_bound + SLACK)
    started = time.monotonic()
    with pytest.raises(KnxUnavailable, match="lost"):
        await link.write("1/0/1", "1", 1)
    with pytest.raises(KnxUnavailable):
        await link.read("1/0/2")
    assert time.monotonic() - started < AT_ONCE


async def test_healthy_tunnel_is_not_reported_lost(make_link, emulator: KnxEmulator) -> None:
    link = make_link(link_settings(emulator.port, probe_interval=0.1))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)
    connections_before = emulator.connections
    await asyncio.sleep(1.5)  # about 15 probes
    assert link.state is LinkState.CONNECTED
    assert link.counters.losses == 0
    assert emulator.connections == connections_before
