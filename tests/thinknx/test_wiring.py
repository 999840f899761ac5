"""The gateway as it runs: virtual KNX rig in a child process, Thinknx on its own port."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from gateway.app import Gateway, StartupError
from gateway.app.systemd import SystemdNotifier
from gateway.knx.users import ThinknxUsers
from gateway.settings import Settings
from tests.helpers.gateway_settings import gateway_settings
from tests.helpers.processes import our_children
from tests.helpers.servers import free_port
from tests.thinknx.conftest import PASSWORD, USER


def settings_for(tmp_path: Path, **env: str) -> Settings:
    """A gateway with Thinknx on a free port and the virtual KNX rig."""
    knx = {
        "GATEWAY_KNX_MODE": "virtual",
        "GATEWAY_KNX_PROBE_INTERVAL": "0.3",
        "GATEWAY_THINKNX_ENABLED": "true",
        "GATEWAY_THINKNX_HOST": "127.0.0.1",
        "GATEWAY_THINKNX_PORT": str(free_port()),
    }
    return gateway_settings(tmp_path, **{**knx, **env})


def emulator_children(directory: Path) -> list[int]:
    """Our child processes running a virtual rig under ``directory`` (both emulators in one)."""
    return our_children(b"hil.virtual_rig", str(directory).encode())


async def test_the_gateway_serves_thinknx_over_the_virtual_rig_and_stops_the_emulator(tmp_path):
    settings = settings_for(tmp_path)
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        assert len(emulator_children(tmp_path)) == 1
        assert gateway.store is not None
        await ThinknxUsers(gateway.store.knx).add(USER, PASSWORD)
        base = f"http://127.0.0.1:{settings.thinknx.port}"
        async with httpx.AsyncClient(base_url=base, auth=(USER, PASSWORD), timeout=5) as client:
            for _ in range(100):  # the link connects in the background
                r = await client.get("/api/V1/power?guid=living_room_light&cmd=1&fb")
                if r.status_code != 503:
                    break
                await asyncio.sleep(0.05)
            assert r.json() == {
                "namespace": "power", "guid": "living_room_light", "status": 1, "comm_obj": 1,
            }  # fmt: skip
        async with httpx.AsyncClient() as client:
            spec = (await client.get(f"http://127.0.0.1:{settings.http.port}/openapi.json")).json()
        power = spec["paths"]["/api/V1/power"]
        assert power["servers"][0]["url"] == f"http://{{host}}:{settings.thinknx.port}"
        assert {"get", "post"} <= set(power)
        assert f"thinknx :{settings.thinknx.port} (9 devices)" in gateway.status_line()
        assert gateway.healthy()
    finally:
        await gateway.stop()
    assert emulator_children(tmp_path) == []


async def test_a_bad_devices_file_stops_start_up_naming_the_setting_and_the_problem(tmp_path):
    bad = tmp_path / "devices.toml"
    bad.write_text('[[devices]]\nguid = "x"\ntype = "light"\npower = { command = "1/0/1" }\n')
    settings = settings_for(tmp_path, GATEWAY_THINKNX_DEVICES_FILE=str(bad))
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    try:
        with pytest.raises(StartupError) as caught:
            await gateway.start()
    finally:
        await gateway.stop()
    message = str(caught.value)
    assert message.startswith(f'thinknx.devices_file: {bad}:1: device 1 (guid "x")')
    assert "power.comm_obj: missing" in message
    assert emulator_children(tmp_path) == []


async def test_with_thinknx_disabled_no_thinknx_port_is_opened(tmp_path):
    settings = settings_for(tmp_path, GATEWAY_THINKNX_ENABLED="false", GATEWAY_KNX_MODE="none")
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient() as client:
                await client.get(
                    f"http://127.0.0.1:{settings.thinknx.port}/api/V1/system/serverStatus"
                )
        assert "knx: disabled" in gateway.status_line()
    finally:
        await gateway.stop()
