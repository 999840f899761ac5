"""The virtual rig's child launcher: ready line, bounded start and stop, no orphans."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hil.child import ChildStartError, EmulatorChild

READY = re.compile(r"^ready port=(\d+)$")
REPO = Path(__file__).resolve().parents[2]


def child(script: str, **kwargs) -> EmulatorChild:
    kwargs.setdefault("start_timeout", 5)
    kwargs.setdefault("stop_timeout", 1)
    return EmulatorChild(
        "test child", [sys.executable, "-c", textwrap.dedent(script)], READY, **kwargs
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill 0; it is dead for our purpose.
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] != "Z"


async def test_start_returns_the_match_of_the_ready_line_and_stop_ends_the_child():
    c = child("import time; print('ready port=4711', flush=True); time.sleep(60)")
    match = await c.start()
    assert match.group(1) == "4711"
    assert c.running
    pid = c.pid
    await c.stop()
    assert not c.running
    assert pid is not None and not alive(pid)


async def test_a_child_that_says_something_else_is_a_start_error_and_is_stopped():
    c = child("import time; print('Traceback: no pty', flush=True); time.sleep(60)")
    with pytest.raises(ChildStartError, match="did not start: 'Traceback: no pty'"):
        await c.start()
    assert not c.running


async def test_a_silent_child_times_out_within_the_bound():
    c = child("import time; time.sleep(60)", start_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ChildStartError, match=r"within 0\.5 s"):
        await c.start()
    assert time.monotonic() - started < 3
    assert not c.running


async def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_bound():
    c = child(
        """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print('ready port=1', flush=True)
        time.sleep(60)
        """,
        stop_timeout=0.3,
    )
    await c.start()
    started = time.monotonic()
    await c.stop()
    assert time.monotonic() - started < 3
    assert not c.running


async def test_an_exit_we_did_not_ask_for_is_logged_as_a_fault(caplog):
    c = child("print('ready port=1', flush=True)")
    with caplog.at_level(logging.ERROR, logger="hil.child"):
        await c.start()
        for _ in range(300):  # the exit is reported after EXIT_GRACE_S
            if any("emulator_exited" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    await c.stop()
    assert any(
        "test child" in r.getMessage() and "code=0" in r.getMessage() for r in caplog.records
    )


async def test_a_child_that_exits_just_before_the_gateway_stops_it_is_no_fault(caplog):
    """systemd and Ctrl-C signal the whole group: the child may go a moment early."""
    c = child("print('ready port=1', flush=True)")  # exits right after its ready line
    with caplog.at_level(logging.DEBUG, logger="hil.child"):
        await c.start()
        await asyncio.sleep(0.5)  # the child is gone; the gateway's stop comes now
        await c.stop()
        await asyncio.sleep(0.2)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_child_dies_with_a_sigkilled_parent():
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import asyncio, re, sys
                from hil.child import EmulatorChild
                async def main():
                    c = EmulatorChild("orphan?", [sys.executable, "-c",
                        "import time; print('ready port=2', flush=True); time.sleep(60)"],
                        re.compile(r"^ready port=([0-9]+)$"), start_timeout=5, stop_timeout=1)
                    await c.start()
                    print(c.pid, flush=True)
                    await asyncio.sleep(60)
                asyncio.run(main())
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert alive(child_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child_pid), "the emulator child outlived a SIGKILLed gateway"
