"""Scenario 1: the gateway starts as systemd starts it and brings both field buses up.

The rig started ``python -m gateway --config gateway.toml run`` with ``NOTIFY_SOCKET`` and
``WATCHDOG_USEC`` set, as ``systemd/gateway.service`` does; these scenarios check what a
person would check after ``systemctl start gateway``.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from hil.api import Deconz, Thinknx, until
from hil.rig import Rig

pytestmark = pytest.mark.hil


def test_gateway_reports_ready_to_systemd_with_what_it_serves(rig: Rig) -> None:
    gateway = rig.process
    ready = gateway.ready_message
    assert ready.get("READY") == "1"
    status = ready.get("STATUS", "")
    assert f"http :{gateway.settings.http_port}" in status, status
    assert f"zigbee {rig.zigbee.kind}" in status, status
    assert "knx:" in status and f"thinknx :{gateway.settings.thinknx_port}" in status, status
    assert gateway.startup_seconds is not None
    assert gateway.startup_seconds < 30, "READY=1 later than a Pi's start-up budget"


async def test_public_config_answers_without_a_key(rig: Rig) -> None:
    async with httpx.AsyncClient(base_url=rig.deconz_url, timeout=10) as http:
        response = await http.get("/api/config")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["name"] == "gateway"
    assert re.fullmatch(r"[0-9A-F]{16}", body["bridgeid"]), body
    assert body["modelid"] == "deCONZ" and body["apiversion"]
    assert "whitelist" not in body, "the public configuration must not list API keys"


async def test_radio_runs_and_config_shows_the_network_read_from_the_radio(
    rig: Rig, deconz: Deconz
) -> None:
    config = await until(deconz.radio_up, timeout=60, what="rfconnected: true")
    channel, panid = config["zigbeechannel"], config["panid"]
    assert 11 <= channel <= 26 and 0 < panid < 0xFFFF, config
    network = await rig.zigbee.radio_network()
    if network is not None:  # the rig sees the coordinator (virtual): the same network
        assert (channel, panid) == network
    assert config["fwversion"] not in ("", "0x00000000", None), config


async def test_knx_tunnel_is_open_and_thinknx_serverstatus_answers(
    rig: Rig, thinknx: Thinknx
) -> None:
    async def tunnel_open() -> list[int] | None:
        return rig.knx_relay.open_channels() or None

    await until(tunnel_open, timeout=15, what="a tunnel from the gateway to the KNX interface")
    rig.process.wait_for_log(r"event=knx_link_state from=\S+ to=connected", timeout=5)
    reply = await thinknx.call("system/serverStatus")
    assert reply.status == 200, reply
    assert reply.body["namespace"] == "system/serverStatus"
    assert re.fullmatch(r"\d\d\.\d\d\.\d\d\.\d\d", reply.body["version"]), reply.body
    assert re.fullmatch(r"\d+ days \d+ hours \d+ min", reply.body["process_uptime"]), reply.body


async def test_systemd_status_says_that_the_radio_runs(rig: Rig, deconz: Deconz) -> None:
    await until(deconz.radio_up, timeout=60, what="rfconnected: true")

    async def status_running() -> str | None:
        latest = rig.process.latest_status()
        return latest if f"zigbee {rig.zigbee.kind}: running" in latest else None

    await until(status_running, timeout=5, what="STATUS= saying the radio runs")


async def test_sigterm_stops_the_gateway_cleanly_and_it_starts_again(
    rig: Rig, deconz: Deconz
) -> None:
    """``systemctl restart gateway``: SIGTERM, STOPPING=1, exit 0 within TimeoutStopSec, and
    a new start that finds the same radio network and keys."""
    gateway = rig.process
    await until(deconz.radio_up, timeout=60, what="the radio running")
    before = await deconz.config()
    mark = gateway.notify.count()
    started = time.monotonic()
    status = gateway.stop(timeout=30)
    assert status == 0, f"exit status {status}"
    assert time.monotonic() - started < 30
    assert any(m.get("STOPPING") == "1" for m in gateway.notify.assignments(mark))

    gateway.start()  # main thread, blocking: see hil/processes.py
    after = await until(deconz.radio_up, timeout=60, what="the radio running after the restart")
    assert (after["panid"], after["zigbeechannel"]) == (before["panid"], before["zigbeechannel"])
    assert sorted(after["whitelist"]) == sorted(before["whitelist"])
