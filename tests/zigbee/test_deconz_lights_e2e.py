"""Every light state attribute end to end on a ConBee: the cases of ``test_lights_e2e.py``
(proved there on the ZNP path) run unchanged through the other radio: HTTP through uvicorn
-> the gateway's Zigbee side -> the unmodified zigpy-deconz -> an ``aps_data_request`` in
SLIP on the pty -> ZCL in the emulated lamp -> the lamp's real state -> ``GET /lights/<id>``.

Why the same table: the domain plans one set of ZCL commands for a state change whatever
the radio; a difference here would be a bug of the deCONZ path (addressing, endpoint,
payload), so the cases are imported, not copied. Only reading the wire differs: the ZCL
frame is taken from the data request the emulated ConBee received.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from hil.emulators.deconz import DeconzEmulator
from tests.helpers.waiting import until
from tests.zigbee.deconz_rig import commands_to, decode_zcl, is_cluster_command
from tests.zigbee.rig import ieee
from tests.zigbee.test_deconz_gateway import DeconzRig, deconz_rig
from tests.zigbee.test_lights_e2e import CASES, EXTENDED

pytestmark = pytest.mark.asyncio(loop_scope="module")

FRAME_TIMEOUT = 5.0


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DeconzRig]:
    async with deconz_rig(tmp_path_factory.mktemp("deconz-e2e"), lights=4, paired=4) as rig:
        yield rig


async def _zcl_frame(
    emulator: DeconzEmulator, since: int, cluster_id: int, nwk: int
) -> tuple[str, dict[str, Any]]:
    deadline = time.monotonic() + FRAME_TIMEOUT
    while True:
        found = [r for r in emulator.requests(since) if is_cluster_command(r, cluster_id, nwk)]
        if found:
            return decode_zcl(found[0])
        assert time.monotonic() < deadline, f"no command to cluster {cluster_id:#06x} at {nwk}"
        await asyncio.sleep(0.02)


async def put_state(rig: DeconzRig, lamp: int, body: dict[str, Any]) -> list[Any]:
    response = await rig.put_state(lamp, body)
    assert response.status_code == 200, response.text
    assert all("success" in item for item in response.json()), response.json()
    return list(response.json())


@pytest.mark.parametrize(
    "lamp,before,body,cluster,command,args,in_lamp,shown",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_state_attribute_reaches_the_lamp_through_a_conbee_and_shows_in_get(
    rig: DeconzRig,
    lamp: int,
    before: dict[str, Any],
    body: dict[str, Any],
    cluster: int,
    command: str,
    args: dict[str, Any],
    in_lamp: tuple[int, str, Any] | None,
    shown: dict[str, Any],
) -> None:
    if before:
        await put_state(rig, lamp, before)
    mark = rig.emulator.frame_mark()
    await put_state(rig, lamp, body)
    nwk = rig.emulator.device(ieee(lamp)).nwk
    name, sent = await _zcl_frame(rig.emulator, mark, cluster, nwk)
    assert name == command
    assert {k: sent[k] for k in args} == args
    if in_lamp is not None:
        cluster_id, attribute, value = in_lamp
        await until(lambda: rig.emu_value(lamp, cluster_id, attribute) == value, timeout=3)
    state = (await rig.gw.get(f"/lights/{rig.gw.light_id(lamp)}"))["state"]
    assert {k: state[k] for k in shown} == shown


async def test_a_light_that_is_off_refuses_bri_with_201_and_nothing_goes_to_the_conbee(
    rig: DeconzRig,
) -> None:
    await put_state(rig, EXTENDED, {"on": False})
    mark = rig.emulator.frame_mark()
    response = await rig.put_state(EXTENDED, {"bri": 5})
    assert response.json()[0]["error"]["type"] == 201
    nwk = rig.emulator.device(ieee(EXTENDED)).nwk
    assert commands_to(rig.emulator, mark, nwk) == []
