"""The start-up state read of a connection that went away blames no lamp (issue 12).

After each connect the lights bridge reads every lamp's state once. zigpy-deconz does not
fail a request still waiting for its answer when the port closes, and retries go out
through the dead application: with the stick back by then, the read of the dead
connection failed on a running radio — an ``AttributeError`` from inside zigpy-deconz
(logged as a failed bridge task), or a time-out that marked a healthy lamp unreachable.
The read of a connection is now stopped when that connection goes down.

The unmodified zigpy-deconz against the deCONZ emulator on a pty: the stick is pulled as
it takes the start-up read of the lamp, and plugged in again at once.
"""

from __future__ import annotations

import asyncio
import logging
import time

from zigpy.zcl import foundation

from gateway.domain.radio import RadioState
from tests.helpers.waiting import until
from tests.zigbee.test_deconz_gateway import deconz_rig

# zigpy-deconz's time-out for a command's answer from the stick (``api.COMMAND_TIMEOUT``,
# 1.8 s) is when the dead connection's read fails; waited out with room to spare.
DEAD_READ_FAILS_WITHIN = 4.0


def is_attribute_read(request) -> bool:
    if request.command.name != "aps_data_request":
        return False
    header, _ = foundation.ZCLHeader.deserialize(bytes(request.params["asdu"]))
    return bool(
        header.frame_control.frame_type == foundation.FrameType.GLOBAL_COMMAND
        and header.command_id == foundation.GeneralCommand.Read_Attributes
    )


async def test_a_start_up_read_cut_by_an_unplug_marks_no_lamp_unreachable(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="gateway.zigbee.reachability")
    async with deconz_rig(tmp_path, lights=1, paired=1) as rig:
        supervisor = rig.gw.supervisor
        tasks = rig.gw.side.bridge._tasks
        await until(lambda: not any(t.get_name() == "lights-refresh" for t in tasks), timeout=10)
        loop = asyncio.get_running_loop()
        replugged = loop.create_future()

        def pull_the_stick(request) -> bool:
            if not is_attribute_read(request):
                return False
            rig.emulator.unplug()
            replugged.set_result(loop.create_task(rig.emulator.replug()))
            return True

        waiting = asyncio.create_task(rig.emulator.wait_for_request(pull_the_stick, timeout=20))
        supervisor.restart()  # a new connection: its start-up read is the one pulled
        await waiting
        await (await replugged)
        cut_at = time.monotonic()
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=10)
        await asyncio.sleep(max(0.0, DEAD_READ_FAILS_WITHIN - (time.monotonic() - cut_at)))

        light = rig.gw.light_id(1)
        assert (await rig.gw.get(f"/lights/{light}"))["state"]["reachable"] is True
    blamed = [r.getMessage() for r in caplog.records if "light_unreachable" in r.getMessage()]
    assert blamed == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
