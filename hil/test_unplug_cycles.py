"""Twenty unplug/replug cycles in a row, each recovered by the running gateway by itself.

One unplug (``test_stick_unplug.py``) proves the path; a stick on a loose USB cable or a
flaky hub is pulled again and again, and every cycle must leave the gateway as able as the
first: no restart, no lock left behind by a cancelled reconnect, no connection attempt
stuck on a port that vanished. After each replug a light command must succeed (and on the
virtual rig the lamp must carry it out); the time from the port's return to that success
is the recovery time a user waits, reported as median and max in the run's "HIL figures".

Each cycle waits until the gateway says the radio is down (``rfconnected: false``) before
plugging back in, so every cycle is a real loss and recovery, not a blip the gateway never
saw. Virtual rig: the emulator's ``unplug``/``replug`` (pty and link gone, then a new pty
behind the same link); hardware: ``uhubctl`` on ``GATEWAY_HIL_USB_POWER``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import pytest

from hil.api import Deconz, success_items, until
from hil.rig import Rig

pytestmark = pytest.mark.hil

CYCLES = 20
DOWN_TIMEOUT = 5.0  # the port vanishes: the gateway notices at once
RECOVERY_TIMEOUT = 30.0  # the same bound as one unplug (test_stick_unplug.py)
RECOVERY_BOUND = 10.0  # a cycle slower than this fails: the supervisor retries on the port's return
FADE_TIMEOUT = 5.0


async def _radio_down(deconz: Deconz) -> bool:
    return (await deconz.config())["rfconnected"] is False


async def test_twenty_unplug_replug_cycles_each_recovered_without_a_restart(
    rig: Rig, paired: str, deconz: Deconz, figures: Callable[[str], None]
) -> None:
    stick = rig.need(rig.zigbee.stick, rig.zigbee.missing_stick)
    await until(deconz.radio_up, timeout=60, what="the radio running before the cycles")
    gateway = rig.process
    pid, starts = gateway.pid, gateway.starts
    light_id = await deconz.light_id(paired)
    recoveries: list[float] = []
    try:
        for cycle in range(1, CYCLES + 1):
            on = cycle % 2 == 1  # alternate, so that every cycle's command is a change

            async def obeys(on: bool = on) -> bool:
                response = await deconz.put(f"lights/{light_id}/state", {"on": on})
                return success_items(response.json()) == {f"/lights/{light_id}/state/on": on}

            await stick.unplug()
            await until(
                lambda: _radio_down(deconz),
                timeout=DOWN_TIMEOUT,
                step=0.05,
                what=f"cycle {cycle}: rfconnected false after the unplug",
            )
            await stick.replug()
            replugged = time.monotonic()
            await until(
                obeys,
                timeout=RECOVERY_TIMEOUT,
                step=0.05,
                what=f"cycle {cycle}: a light command succeeding after the replug",
            )
            recoveries.append(time.monotonic() - replugged)
            if await rig.zigbee.read_light(paired) is not None:

                async def carried_out(on: bool = on) -> bool:
                    reading = await rig.zigbee.read_light(paired)
                    return reading is not None and reading.on is on

                await until(
                    carried_out,
                    timeout=FADE_TIMEOUT,
                    what=f"cycle {cycle}: the lamp itself switched {'on' if on else 'off'}",
                )
    finally:
        if not os.path.exists(rig.zigbee.path):
            await stick.replug()
        await until(deconz.radio_up, timeout=RECOVERY_TIMEOUT, what="the radio back (clean-up)")

    assert gateway.running and gateway.pid == pid and gateway.starts == starts, "no restart"
    median, worst = statistics.median(recoveries), max(recoveries)
    figures(
        f"{CYCLES} unplug/replug cycles on radio.kind = {rig.zigbee.kind}: replug -> light "
        f"command succeeds: median {median:.2f} s, max {worst:.2f} s "
        f"(all: {' '.join(f'{r:.2f}' for r in recoveries)})"
    )
    assert len(recoveries) == CYCLES
    assert worst < RECOVERY_BOUND, f"slowest recovery {worst:.2f} s; all: {recoveries}"
