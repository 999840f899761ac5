"""Acceptance: the whole gateway with ``radio.kind = "virtual"`` — what ``make run`` starts.

The emulator runs as a child process (``hil/virtual_radio.py``) and the gateway drives it
through zigpy-znp on the pty, exactly as it would drive a stick on /dev/zigbee.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from gateway.app import Gateway
from gateway.app.systemd import SystemdNotifier
from gateway.settings import load_settings
from tests.helpers.servers import free_port
from tests.zigbee.rig import until


def virtual_settings(tmp_path: Path, lights: int = 2):
    (tmp_path / "absent.toml").write_text("")
    return load_settings(
        environ={
            "GATEWAY_CONFIG": str(tmp_path / "absent.toml"),
            "GATEWAY_STATE_DIR": str(tmp_path / "state"),
            "GATEWAY_HTTP_HOST": "127.0.0.1",
            "GATEWAY_HTTP_PORT": str(free_port()),
            "GATEWAY_HTTP_WEBSOCKET_PORT": str(free_port()),
            "GATEWAY_RADIO_KIND": "virtual",
            "GATEWAY_RADIO_VIRTUAL_LIGHTS": str(lights),
            "GATEWAY_KNX_MODE": "none",
            "GATEWAY_THINKNX_ENABLED": "false",
        }
    )


async def test_the_virtual_rig_pairs_lamps_and_switches_them_over_http_and_websocket(tmp_path):
    settings = virtual_settings(tmp_path)
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    base = f"http://127.0.0.1:{settings.http.port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            assert gateway.config is not None
            gateway.config.unlock(60)
            key = (await http.post("/api", json={"devicetype": "acceptance#1"})).json()[0][
                "success"
            ]["username"]

            async def radio_up():
                config = (await http.get(f"/api/{key}/config")).json()
                return config if config["rfconnected"] else None  # RUNNING, not starting

            config = await until(radio_up, timeout=60, step=0.2)
            assert config["websocketport"] == settings.http.websocket_port
            assert (await http.post(f"/api/{key}/lights")).status_code == 200

            async def two_lights():
                lights = (await http.get(f"/api/{key}/lights")).json()
                return lights if len(lights) == 2 else None

            lights = await until(two_lights, timeout=60, step=0.2)
            color = next(i for i, li in lights.items() if li["type"] == "Extended color light")
            ws_url = f"ws://127.0.0.1:{config['websocketport']}"
            async with connect(ws_url) as ws:
                await asyncio.sleep(0.2)
                r = await http.put(f"/api/{key}/lights/{color}/state", json={"on": False})
                assert r.json() == [{"success": {f"/lights/{color}/state/on": False}}]
                async with asyncio.timeout(10):
                    while True:
                        event = json.loads(await ws.recv())
                        if event.get("id") == color and event.get("state", {}).get("on") is False:
                            break
    finally:
        await gateway.stop()
    state_dir = tmp_path / "state"
    assert (state_dir / "zigbee.db").exists()
    assert (state_dir / "virtual-radio" / "znp-state.json").exists()
    # The emulator child went away with the gateway.
    left = subprocess.run(["pgrep", "-f", str(state_dir / "virtual-radio")], capture_output=True)
    assert left.stdout == b""
