"""Scenario 8: power cut right after a batch of acknowledged writes.

The gateway is killed with SIGKILL — no signal handler, no flush, no orderly stop, like a Pi
losing power — immediately after the last write was acknowledged, then started again as
systemd would restart it. Everything a client was told is done must be there (SQLite in WAL
mode with ``synchronous=FULL``: acknowledged means on disk).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from hil.api import Deconz, error_types, success_items, until
from hil.rig import Rig

pytestmark = pytest.mark.hil


@pytest_asyncio.fixture
async def restarted_afterwards(rig: Rig, deconz: Deconz) -> AsyncIterator[None]:
    """Whatever happens, the gateway runs again afterwards, with its original name."""
    original = (await deconz.config())["name"]
    try:
        yield
    finally:
        if not rig.process.running:
            rig.process.start()  # main thread: see hil/processes.py
        await until(deconz.radio_up, timeout=60, what="the radio after the restart")
        await deconz.put("config", {"name": original})


async def test_everything_acknowledged_before_a_power_cut_is_there_after_the_restart(
    rig: Rig, deconz: Deconz, paired: str, restarted_afterwards: None
) -> None:
    tag = secrets.token_hex(3)
    light_id = await deconz.light_id(paired)
    light_name = f"hil cut {tag}"
    gateway_name = f"hil-{tag}"
    pid = rig.process.pid

    renamed = await deconz.put(f"lights/{light_id}", {"name": light_name})
    assert success_items(renamed.json()) == {f"/lights/{light_id}/name": light_name}
    named = await deconz.put("config", {"name": gateway_name})
    assert success_items(named.json()) == {"/config/name": gateway_name}
    keys = []
    async with httpx.AsyncClient(base_url=rig.deconz_url, timeout=10) as http:
        for n in range(3):
            response = await http.post("/api", json={"devicetype": f"hil#cut{n}"}, auth=rig.admin)
            assert response.status_code == 200, response.text
            keys.append(response.json()[0]["success"]["username"])
        rig.process.kill()  # right after the last acknowledgement

        rig.process.start()  # blocks this loop until READY=1; main thread (hil/processes.py)
        assert rig.process.pid != pid
        for key in keys:
            answer = await http.get(f"/api/{key}/config")
            assert answer.status_code == 200 and "whitelist" in answer.json(), (key, answer.text)
        unknown = await http.get(f"/api/{secrets.token_hex(16)}/config")
        assert error_types(unknown.json()) == [1], "an unknown key is still refused"
    config = await deconz.config()
    assert config["name"] == gateway_name
    devicetypes = {entry["name"] for entry in config["whitelist"].values()}
    assert {"hil#cut0", "hil#cut1", "hil#cut2"} <= devicetypes
    assert (await deconz.get(f"lights/{light_id}"))["name"] == light_name
