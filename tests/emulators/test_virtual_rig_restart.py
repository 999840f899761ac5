"""The virtual rig's one child comes back after a kill, like a stick that is replugged."""

from __future__ import annotations

import os
import signal

from hil.virtual_rig import VirtualRig
from tests.helpers.waiting import until


async def test_a_killed_rig_child_comes_back_on_the_same_knx_port_and_radio_path(tmp_path):
    rig = VirtualRig(tmp_path, stick="znp", lights=1, knx=True)
    first = await rig.start()
    try:
        pid = rig.pid
        assert pid is not None and first.knx_port and first.radio_path
        os.kill(pid, signal.SIGKILL)
        # The dead stick's link goes at once (its pty number is free for anyone's pty).
        await until(lambda: not os.path.lexists(first.radio_path), timeout=1.5)
        assert rig.restarts == 0
        # The exit grace (2 s) and the first restart delay.
        await until(lambda: rig.restarts and rig.running and rig.pid != pid, timeout=15)
        assert rig.restarts == 1 and rig.pid != pid
        assert f"--knx-port {first.knx_port}" in " ".join(rig.command_line())
        # The stable link names the new child's pty.
        assert os.path.realpath(first.radio_path) != first.radio_path
        assert os.path.exists(os.path.realpath(first.radio_path))
    finally:
        await rig.stop()
