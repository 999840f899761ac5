"""The virtual rig of ``make run`` includes one of each sensor and remote."""

from __future__ import annotations

import asyncio
import json

from gateway.app.virtual import SharedRig
from hil.emulators.znp.devices.spec import SENSOR_CYCLE


async def control(path, cmd: str) -> dict:
    reader, writer = await asyncio.open_unix_connection(str(path))
    try:
        writer.write(json.dumps({"cmd": cmd, "id": 1}).encode() + b"\n")
        await writer.drain()
        answer = json.loads(await reader.readline())
    finally:
        writer.close()
    assert answer["ok"], answer
    return answer["result"]


async def test_the_virtual_stick_of_make_run_has_one_of_each_sensor(tmp_path):
    rig = SharedRig(tmp_path, radio="virtual", lights=1, knx=False)
    path, kind, share = await rig.radio()
    try:
        assert kind == "virtual" and path.endswith("ttyZNP")
        state = await control(tmp_path / "virtual-radio" / "control.sock", "state")
        kinds = sorted(d["kind"] for d in state["devices"])
        assert kinds == sorted([*(k.value for k in SENSOR_CYCLE), "extended_color"])
    finally:
        await share.stop()
