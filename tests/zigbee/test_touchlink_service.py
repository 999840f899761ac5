"""Touchlink through the composition root (``gateway.app.Gateway`` and its Zigbee
wiring), with the production timings: the virtual rig's emulator runs as a child process
on a pty, its lamps factory new on channel 11, where a touchlink scan finds them."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import httpx

from gateway.app import Gateway
from gateway.app.admin_password import read_password_file
from gateway.domain.radio import RadioState
from gateway.settings import Settings
from gateway.zigbee.touchlink import TouchlinkTiming, scan_duration
from tests.helpers.gateway_settings import gateway_settings
from tests.helpers.servers import free_port
from tests.zigbee.rig import until


def settings_for(tmp_path: Path, radio: str) -> Settings:
    return gateway_settings(
        tmp_path,
        GATEWAY_HTTP_WEBSOCKET_PORT=str(free_port()),
        GATEWAY_RADIO_KIND=radio,
        GATEWAY_RADIO_VIRTUAL_LIGHTS="2",
    )


async def new_key(client: httpx.AsyncClient, state_dir: Path) -> str:
    password = read_password_file(state_dir)
    auth = base64.b64encode(f"delight:{password}".encode()).decode()
    r = await client.post(
        "/api", json={"devicetype": "tests#touchlink"}, headers={"Authorization": f"Basic {auth}"}
    )
    assert r.status_code == 200, r.text
    return str(r.json()[0]["success"]["username"])


async def test_the_gateway_scans_with_the_zll_timings_and_finds_the_virtual_lamps(tmp_path):
    settings = settings_for(tmp_path, "virtual")
    gateway = Gateway(settings)
    await gateway.start()
    base = f"http://127.0.0.1:{settings.http.port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            network = gateway.zigbee
            assert network is not None
            await until(lambda: network.state is RadioState.RUNNING, timeout=60)
            key = await new_key(client, settings.gateway.state_dir)
            start = time.monotonic()
            r = await client.post(f"/api/{key}/touchlink/scan")
            assert r.json() == [{"success": {"/touchlink/scan": "ok"}}]
            assert network.busy == "touchlink scan"

            async def idle():
                body = (await client.get(f"/api/{key}/touchlink/scan")).json()
                return body if body["scanstate"] == "idle" else None

            body = await until(idle, timeout=30, step=0.1)
            took = time.monotonic() - start
            expected = scan_duration(TouchlinkTiming())
            assert expected <= took <= expected + 4, took
            assert {item["channel"] for item in body["result"].values()} == {11}
            assert len(body["result"]) == 2
            assert all(item["factorynew"] for item in body["result"].values())
            await until(lambda: network.busy is None, timeout=5)
            assert network.state is RadioState.RUNNING
    finally:
        await gateway.stop()


async def test_without_a_radio_touchlink_answers_503_error_950(tmp_path):
    settings = settings_for(tmp_path, "none")
    gateway = Gateway(settings)
    await gateway.start()
    try:
        base = f"http://127.0.0.1:{settings.http.port}"
        async with httpx.AsyncClient(base_url=base) as client:
            key = await new_key(client, settings.gateway.state_dir)
            r = await client.post(f"/api/{key}/touchlink/scan")
            assert r.status_code == 503
            assert r.json()[0]["error"]["type"] == 950
    finally:
        await gateway.stop()
