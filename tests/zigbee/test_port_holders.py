"""A locked serial port is reported with who holds it (issue 12: the ConBee "port locked").

The real supervisor and the unmodified zigpy-deconz try a pty that another process
(ModemManager's part, played by a child Python) or the gateway itself keeps open and
``flock``-ed, as every serial library does; the warning and the radio's error must name
the holder, so a person can act and a port our own process left open is not blamed on
"another application".
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from gateway.zigbee.backoff import Backoff
from gateway.zigbee.port_holders import port_holders, port_locked, who_holds
from gateway.zigbee.radios import RadioConfig
from gateway.zigbee.supervisor import RadioSupervisor

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("holding", flush=True)
time.sleep(60)
"""


@pytest.fixture
def port() -> Iterator[str]:
    """A pty's device node, like a stick's /dev/ttyACM0 (nothing answers on it)."""
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)
    try:
        yield path
    finally:
        os.close(master)


@pytest.fixture
def other_process(port: str) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen([sys.executable, "-c", HOLD, port], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        yield child
    finally:
        child.kill()
        child.wait()


@contextlib.contextmanager
def held_here(path: str) -> Iterator[int]:
    """The port open and locked by this process, as a connection that was never closed."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield fd
    finally:
        os.close(fd)


@contextlib.asynccontextmanager
async def supervising(port: str, tmp_path: Path) -> AsyncIterator[RadioSupervisor]:
    config = RadioConfig("deconz", port, tmp_path / "zigbee.db", tmp_path / "backups")
    supervisor = RadioSupervisor(config, backoff=Backoff(0.2, cap=0.2), shutdown_timeout=2)
    supervisor.start()
    try:
        yield supervisor
    finally:
        await supervisor.stop()


async def error_naming(supervisor: RadioSupervisor, words: str, within: float = 20) -> str:
    async with asyncio.timeout(within):
        while words not in (supervisor.last_error or ""):
            await asyncio.sleep(0.05)
    return supervisor.last_error or ""


async def test_a_port_locked_by_another_program_names_it(
    port: str,
    other_process: subprocess.Popen[str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.zigbee.keeper")
    async with supervising(port, tmp_path) as supervisor:
        error = await error_naming(supervisor, "held by")
    assert "locked by another application" in error
    assert f"(pid {other_process.pid})" in error
    assert "python" in error.split("held by", 1)[1]
    assert "this gateway" not in error
    assert any(f"pid {other_process.pid}" in r.getMessage() for r in caplog.records)


async def test_a_port_the_gateway_itself_left_open_is_named_as_ours(
    port: str, tmp_path: Path
) -> None:
    with held_here(port) as fd:
        async with supervising(port, tmp_path) as supervisor:
            error = await error_naming(supervisor, "held by")
    assert f"held by this gateway itself (pid {os.getpid()}, fd {fd})" in error


async def test_the_port_once_free_is_taken_and_nobody_is_named(
    port: str, other_process: subprocess.Popen[str]
) -> None:
    assert [h.pid for h in port_holders(port)] == [other_process.pid]
    other_process.kill()
    other_process.wait()
    assert port_holders(port) == []
    locked = PermissionError("The serial port is locked by another application")
    locked.__cause__ = OSError(errno.EBUSY, "busy")
    assert await who_holds(locked, port) == "; no process we can see has it open"


async def test_other_failures_say_nothing_of_holders(port: str) -> None:
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory")
    assert not port_locked(missing)
    assert await who_holds(missing, port) == ""
    assert port_locked(OSError(errno.EBUSY, "Device or resource busy"))
