"""An abandoned connection attempt leaves the serial port free for the next one (issue 12).

The soak's ConBee replug that took 6.2 s: an attempt was cancelled while zigpy-deconz
waited for the stick's answer to its first request, its half-made ``Deconz`` object kept
the port open and ``flock``-ed, and every later attempt failed with "The serial port is
locked by another application" until the stick went away again. Here the unmodified radio
libraries open a pty whose far end (a stick still booting) reads but does not answer; the
attempt is cancelled once its first request has arrived, as the supervisor cancels it
when the stick goes away meanwhile. The second half covers an attempt that completes
although it was abandoned: its application must be shut down, not dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.zigbee.connect_attempt import AttemptAbandoned, connect_watched, open_application
from gateway.zigbee.radios import RadioConfig


class SilentStick:
    """A pty whose stick end reads what the host sends and never answers."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(self.master, False)

    async def first_request(self, within: float = 20.0) -> bytes:
        """The first bytes the host sends (its handshake has begun)."""
        loop = asyncio.get_running_loop()
        arrived: asyncio.Future[bytes] = loop.create_future()

        def readable() -> None:
            if not arrived.done():
                arrived.set_result(os.read(self.master, 4096))

        loop.add_reader(self.master, readable)
        try:
            return await asyncio.wait_for(arrived, within)
        finally:
            loop.remove_reader(self.master)

    def our_descriptors(self) -> int:
        """How many file descriptors of this process are open on the stick's port."""
        count = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                count += os.readlink(f"/proc/self/fd/{fd}") == self.path
            except OSError:
                continue  # closed since listed (the listing's own descriptor)
        return count

    def lockable(self) -> bool:
        """Whether another opener gets the exclusive lock the radio libraries take."""
        fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    def close(self) -> None:
        os.close(self.master)


@pytest.fixture
def stick() -> Iterator[SilentStick]:
    silent = SilentStick()
    yield silent
    silent.close()


class Listener:
    def connection_lost(self, exc: BaseException | None) -> None:
        pass


@pytest.mark.parametrize("kind", ["deconz", "znp"])
async def test_an_attempt_cancelled_during_the_handshake_leaves_the_port_free(
    kind: str, stick: SilentStick, tmp_path: Path
) -> None:
    config = RadioConfig(
        kind=kind, path=stick.path, database_path=tmp_path / "zigbee.db", backup_dir=tmp_path
    )
    attempt = asyncio.create_task(
        open_application(
            config,
            15,
            listener=Listener(),
            app_class=None,
            network_key=bytes(range(16)),
            connect_timeout=60,
            shutdown_timeout=5,
        )
    )
    request = await stick.first_request()
    assert request, "the radio library sent nothing: the attempt never opened the port"
    assert stick.our_descriptors() == 1
    assert not stick.lockable(), "the attempt should hold the port's lock while it runs"

    attempt.cancel()
    with pytest.raises(asyncio.CancelledError):
        await attempt

    assert stick.our_descriptors() == 0
    assert stick.lockable(), "the next attempt would find the port locked"


class FinishingApp:
    """An application whose start-up ignores a cancellation and completes."""

    def __init__(self) -> None:
        self.discarded = False


async def test_an_attempt_that_completes_although_abandoned_is_discarded() -> None:
    lost = asyncio.Event()
    app = FinishingApp()
    started = asyncio.Event()

    async def connect() -> Any:
        started.set()
        with contextlib.suppress(asyncio.CancelledError):  # a library that swallows it
            await asyncio.sleep(30)
        return app

    async def discard(finished: Any) -> None:
        finished.discarded = True

    attempt = asyncio.create_task(
        connect_watched(
            "/nonexistent/ttyTEST",
            connect,
            discard=discard,
            lost=lost,
            stopping=lambda: False,
            lost_reason=lambda: "connection lost: test",
        )
    )
    await started.wait()
    lost.set()
    with pytest.raises(AttemptAbandoned, match="connection lost: test"):
        await asyncio.wait_for(attempt, 5)
    assert app.discarded, "a connected application holding the port was dropped, not closed"


async def test_an_attempt_that_fails_on_its_cancellation_discards_nothing() -> None:
    lost = asyncio.Event()
    discarded: list[Any] = []

    async def connect() -> Any:
        lost.set()
        await asyncio.sleep(30)

    async def discard(finished: Any) -> None:
        discarded.append(finished)

    with pytest.raises(AttemptAbandoned):
        await asyncio.wait_for(
            connect_watched(
                "/nonexistent/ttyTEST",
                connect,
                discard=discard,
                lost=lost,
                stopping=lambda: False,
                lost_reason=lambda: None,
            ),
            5,
        )
    assert discarded == []
