"""Issue 12 on a RaspBee/ConBee: a malformed frame from the radio never costs more than
that frame. The unmodified zigpy-deconz under our gateway, the deCONZ emulator putting
each kind of SLIP noise (``hil.emulators.deconz.noise``) on the line: the next light
command succeeds within 2 s and the radio is not restarted (no reconnect).
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from gateway.domain.radio import RadioState
from hil.emulators.deconz import noise
from tests.helpers.waiting import until
from tests.zigbee.deconz_rig import conbee_rig, copy_template, make_template
from tests.zigbee.test_deconz_gateway import DeconzRig

COMMAND_DEADLINE = 2.0
LEVEL = 0x0008
BIG = [("garbage", 2000), ("oversize", 1 << 20), ("flood", 1 << 20)]

#: (kind, size, how many in a row, glued to the stick's next frame): every kind once on a
#: quiet line and three in a row glued to the command's answer (the case that trips a
#: parser), the big ones both ways at the sizes the soak sends (floods up to 1 MiB).
CASES = [
    *[(kind, None, 1, False) for kind in noise.KINDS],
    *[(kind, None, 3, True) for kind in noise.KINDS],
    *[(kind, size, 1, glued) for kind, size in BIG for glued in (False, True)],
]


@pytest.fixture(scope="module")
def paired_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("deconz-noise"), lights=1, paired=1)


@pytest.fixture
def paired(paired_template: Path, tmp_path: Path) -> Path:
    return copy_template(paired_template, tmp_path)


async def timed_command(rig: DeconzRig, bri: int) -> float:
    started = time.monotonic()
    r = await rig.put_state(1, {"on": True, "bri": bri})
    elapsed = time.monotonic() - started
    assert r.status_code == 200 and all("success" in item for item in r.json()), r.text
    return elapsed


@pytest.mark.parametrize(("kind", "size", "count", "glued"), CASES, ids=lambda v: str(v))
async def test_slip_noise_costs_only_itself(
    paired: Path, kind: str, size: int | None, count: int, glued: bool
):
    """``glued``: the noise and the stick's next frame (the command's answer) arrive in
    one read, so a parser that stumbles on the noise also sits on that answer."""
    async with conbee_rig(paired, lights=1) as rig:
        supervisor = rig.gw.supervisor
        since = supervisor.running_since
        data = b"".join(noise.make(kind, random.Random(seed), size) for seed in range(count))
        assert rig.emulator.inject(data, glued=glued)
        elapsed = await timed_command(rig, 77)
        assert elapsed < COMMAND_DEADLINE, f"first command {elapsed:.2f} s after the noise"
        await until(lambda: rig.emu_value(1, LEVEL, "current_level") == 77, timeout=3)
        await asyncio.sleep(0.5)  # a reconnect triggered by the noise would show by now
        assert supervisor.running_since == since, "the radio was restarted"
        assert supervisor.state is RadioState.RUNNING
        assert await timed_command(rig, 78) < COMMAND_DEADLINE


async def test_noise_in_the_middle_of_traffic_costs_only_itself(paired: Path):
    """Noise lands between the answers of commands in flight (not on a quiet line)."""
    async with conbee_rig(paired, lights=1) as rig:
        supervisor = rig.gw.supervisor
        since = supervisor.running_since
        rng = random.Random(12)
        for round_ in range(10):
            command = asyncio.create_task(rig.put_state(1, {"bri": 10 + round_}))
            for _ in range(3):
                await asyncio.sleep(rng.uniform(0, 0.02))
                rig.emulator.inject(noise.make(rng.choice(list(noise.KINDS)), rng, 4096))
            r = await asyncio.wait_for(command, 10)
            assert r.status_code == 200, r.text
        elapsed = await timed_command(rig, 99)
        assert elapsed < COMMAND_DEADLINE
        assert supervisor.running_since == since, "the radio was restarted"
