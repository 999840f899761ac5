"""Malformed serial frames from the stick cost only themselves, end to end.

The emulator's ``inject`` control command puts raw bytes on the pty, in order with its own
frames; the unmodified zigpy-znp (with our resynchronising framing) reads them. After each
fault a light command must succeed at once, on the same radio connection (no watchdog
restart, no reconnect).
"""

from __future__ import annotations

import json
import time

import pytest

from hil.emulators.znp import control
from tests.zigbee.rig import until, zigbee_rig

TRUNCATED = "fe40610102"  # start byte, length 64, a command, then nothing
BAD_FCS = "fe03448100010200"  # a complete frame whose checksum is wrong
LYING_LENGTH = "fe0244810001020304050607"  # claims 2 data bytes, carries more

FAULTS = {
    "truncated frame": {"hex": TRUNCATED},
    "bad checksum": {"hex": BAD_FCS},
    "length byte that lies": {"hex": LYING_LENGTH},
    "1 MB flood": {"noise": 1 << 20},
    "truncated frame after a flood": {"noise": 64 * 1024, "hex": ""},
}
COMMAND_DEADLINE = 3.0  # zigpy-znp's shortened request timeout is 3 s: a stall would miss it


async def inject(rig, **args) -> int:
    answer = await control.execute(rig.emulator, json.dumps({"cmd": "inject", "id": 1, **args}))
    assert answer["ok"], answer
    return int(answer["result"]["injected"])


async def command_succeeds(rig, bri: int) -> float:
    light = rig.gw.light_id(1)
    started = time.monotonic()
    r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": True, "bri": bri})
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"success": {f"/lights/{light}/state/on": True}},
        {"success": {f"/lights/{light}/state/bri": bri}},
    ], r.text
    return elapsed


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_malformed_frame_costs_only_itself(paired, fault):
    async with zigbee_rig(paired) as rig:
        since = rig.gw.supervisor.running_since
        args = dict(FAULTS[fault])
        if fault == "truncated frame after a flood":
            args["hex"] = TRUNCATED
        await inject(rig, **args)
        elapsed = await command_succeeds(rig, 100)
        assert elapsed < COMMAND_DEADLINE, f"the command took {elapsed:.1f} s after a {fault}"
        await until(lambda: rig.emu_value(1, 0x0008, "current_level") == 100)
        assert rig.gw.supervisor.running_since == since, "the radio was restarted"
        assert rig.gw.supervisor.reachable


async def test_a_burst_of_mixed_malformed_frames_leaves_the_radio_running(paired):
    async with zigbee_rig(paired) as rig:
        since = rig.gw.supervisor.running_since
        for round_ in range(3):
            for args in FAULTS.values():
                if args.get("noise", 0) > 100_000:
                    continue
                await inject(rig, **args)
            await inject(rig, hex=TRUNCATED)
            assert await command_succeeds(rig, 20 + round_) < COMMAND_DEADLINE
        assert rig.gw.supervisor.running_since == since
        lights = await rig.gw.get("/lights")
        assert {light["state"]["reachable"] for light in lights.values()} == {True}


async def test_inject_refuses_what_is_not_hexadecimal(paired):
    async with zigbee_rig(paired) as rig:
        answer = await control.execute(rig.emulator, '{"cmd": "inject", "hex": "zz"}')
        assert answer["ok"] is False and "hexadecimal" in answer["error"]
