"""sd_notify and the watchdog against a real Unix datagram socket standing in for systemd.

The receiver (``fake_systemd.py``) runs in a thread and stamps each datagram with its
arrival time, so it keeps listening while a test deliberately blocks the event loop: that
is how we prove the pings really come from the loop and stop when it is stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from gateway.app.systemd import SystemdNotifier
from tests.lifecycle.fake_systemd import FakeSystemd, fake_systemd_at_a_path, wait_for

# WATCHDOG_USEC used by the timing tests: 0.2 s, so pings every 0.1 s.
INTERVAL_USEC = 200_000
PERIOD = INTERVAL_USEC / 1_000_000 / 2


@pytest.fixture
def fake_systemd() -> Iterator[FakeSystemd]:
    with fake_systemd_at_a_path() as fake:
        yield fake


async def async_wait_for(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def watchdog_task(notifier: SystemdNotifier, **kwargs: object):
    task = asyncio.create_task(notifier.run_watchdog(**kwargs))  # type: ignore[arg-type]
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# -- messages ---------------------------------------------------------------------------------


def test_ready_sends_ready_1(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    assert notifier.ready()
    wait_for(lambda: fake_systemd.messages() == ["READY=1"])


def test_ready_with_status_sends_both_in_one_datagram(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    notifier.ready("radio running, KNX connected")
    wait_for(lambda: fake_systemd.messages() == ["READY=1\nSTATUS=radio running, KNX connected"])


def test_status_sends_status_line(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    notifier.status("connecting to /dev/zigbee")
    wait_for(lambda: fake_systemd.messages() == ["STATUS=connecting to /dev/zigbee"])


def test_status_keeps_a_multiline_text_on_one_protocol_line(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    notifier.status("radio lost\nWATCHDOG=1")
    wait_for(lambda: fake_systemd.messages() == ["STATUS=radio lost WATCHDOG=1"])


def test_stopping_sends_stopping_1(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    notifier.stopping()
    wait_for(lambda: fake_systemd.messages() == ["STOPPING=1"])


def test_extend_timeout_sends_microseconds(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    notifier.extend_timeout(90)
    wait_for(lambda: fake_systemd.messages() == ["EXTEND_TIMEOUT_USEC=90000000"])


def test_watchdog_ping_sends_watchdog_1(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.environ())
    notifier.watchdog_ping()
    wait_for(lambda: fake_systemd.messages() == ["WATCHDOG=1"])


def test_abstract_namespace_socket_is_reached_through_at_sign() -> None:
    name = f"gateway-test-{uuid.uuid4().hex}"
    fake = FakeSystemd("@" + name, "\0" + name)
    try:
        SystemdNotifier.from_environment(fake.environ()).ready()
        wait_for(lambda: fake.messages() == ["READY=1"])
    finally:
        fake.close()


# -- not under systemd, or systemd not listening -----------------------------------------------


def test_without_notify_socket_the_notifier_is_disabled_and_sends_nothing() -> None:
    notifier = SystemdNotifier.from_environment({})
    assert not notifier.enabled
    assert notifier.ready("x") is False
    assert notifier.status("x") is False
    assert notifier.stopping() is False
    assert notifier.watchdog_ping() is False
    assert notifier.watchdog_interval() is None


async def test_without_notify_socket_run_watchdog_waits_until_cancelled() -> None:
    notifier = SystemdNotifier.from_environment({"WATCHDOG_USEC": "200000"})
    task = asyncio.create_task(notifier.run_watchdog())
    await asyncio.sleep(0.2)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_unsupported_notify_socket_address_disables_the_notifier() -> None:
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": "vsock:2:1234"})
    assert not notifier.enabled
    assert notifier.ready() is False


def test_send_to_a_vanished_socket_returns_false_without_raising() -> None:
    directory = tempfile.mkdtemp(prefix="sdn-", dir="/tmp")
    try:
        notifier = SystemdNotifier(os.path.join(directory, "gone"))
        assert notifier.enabled
        assert notifier.ready() is False
        assert notifier.watchdog_ping() is False
    finally:
        shutil.rmtree(directory)


def test_send_never_blocks_when_systemd_does_not_read() -> None:
    directory = tempfile.mkdtemp(prefix="sdn-", dir="/tmp")
    path = os.path.join(directory, "notify")
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    receiver.bind(path)
    try:
        notifier = SystemdNotifier(path)
        results = []
        started = time.monotonic()
        for _ in range(2000):  # far more than a 4 KiB queue (and max_dgram_qlen) holds
            results.append(notifier.status("x" * 200))
        elapsed = time.monotonic() - started
        assert results[0] is True
        assert False in results, "the queue never filled; the test proves nothing"
        assert elapsed < 1.0
    finally:
        receiver.close()
        shutil.rmtree(directory)


def test_unset_removes_the_systemd_variables_from_the_environment(
    fake_systemd: FakeSystemd,
) -> None:
    environ = {**fake_systemd.watchdog_environ(INTERVAL_USEC), "PATH": "/usr/bin"}
    notifier = SystemdNotifier.from_environment(environ, unset=True)
    assert environ == {"PATH": "/usr/bin"}
    assert notifier.enabled
    assert notifier.watchdog_interval() == pytest.approx(0.2)


# -- watchdog interval --------------------------------------------------------------------------


def test_watchdog_interval_comes_from_watchdog_usec(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(30_000_000))
    assert notifier.watchdog_interval() == 30.0


def test_watchdog_interval_is_none_when_watchdog_pid_names_another_process(
    fake_systemd: FakeSystemd,
) -> None:
    environ = fake_systemd.environ(WATCHDOG_USEC="30000000", WATCHDOG_PID=str(os.getpid() + 1))
    assert SystemdNotifier.from_environment(environ).watchdog_interval() is None


def test_watchdog_interval_applies_without_watchdog_pid(fake_systemd: FakeSystemd) -> None:
    environ = fake_systemd.environ(WATCHDOG_USEC="30000000")
    assert SystemdNotifier.from_environment(environ).watchdog_interval() == 30.0


@pytest.mark.parametrize("value", ["", "0", "-5", "thirty"])
def test_watchdog_interval_is_none_for_unusable_watchdog_usec(
    fake_systemd: FakeSystemd, value: str
) -> None:
    environ = fake_systemd.environ(WATCHDOG_USEC=value)
    assert SystemdNotifier.from_environment(environ).watchdog_interval() is None


# -- watchdog task ------------------------------------------------------------------------------


async def test_watchdog_pings_at_half_the_interval(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(INTERVAL_USEC))
    async with watchdog_task(notifier):
        await async_wait_for(lambda: len(fake_systemd.pings()) >= 7)
    pings = fake_systemd.pings()
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    assert min(gaps) >= PERIOD * 0.6  # never much early (receiver jitter aside)
    assert sum(gaps) / len(gaps) == pytest.approx(PERIOD, rel=0.35)


async def test_watchdog_pings_stop_while_the_event_loop_is_blocked(
    fake_systemd: FakeSystemd,
) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(INTERVAL_USEC))
    async with watchdog_task(notifier):
        await async_wait_for(lambda: len(fake_systemd.pings()) >= 2)
        blocked_at = time.monotonic()
        time.sleep(6 * PERIOD)  # a blocking call on the loop: the bug the watchdog is for
        unblocked_at = time.monotonic()
        await async_wait_for(lambda: fake_systemd.pings()[-1] > unblocked_at)
    during = [t for t in fake_systemd.pings() if blocked_at + 0.05 < t < unblocked_at]
    assert during == []
    assert notifier.last_lag >= 4 * PERIOD


def test_watchdog_pings_stop_when_the_event_loop_stops(fake_systemd: FakeSystemd) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(INTERVAL_USEC))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(notifier.run_watchdog(), loop)
        wait_for(lambda: len(fake_systemd.pings()) >= 2)
        loop.call_soon_threadsafe(loop.stop)  # the loop dies; nobody cancels the task
        thread.join(timeout=2)
        stopped_at = time.monotonic()
        time.sleep(5 * PERIOD)
        assert [t for t in fake_systemd.pings() if t > stopped_at + 0.05] == []
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()


async def test_watchdog_pings_are_withheld_while_healthy_returns_false(
    fake_systemd: FakeSystemd,
) -> None:
    state = {"healthy": True}
    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(INTERVAL_USEC))
    async with watchdog_task(notifier, healthy=lambda: state["healthy"]):
        await async_wait_for(lambda: len(fake_systemd.pings()) >= 2)
        state["healthy"] = False
        sick_at = time.monotonic()
        await asyncio.sleep(6 * PERIOD)
        state["healthy"] = True
        well_at = time.monotonic()
        await async_wait_for(lambda: fake_systemd.pings()[-1] > well_at)
    assert [t for t in fake_systemd.pings() if sick_at + 0.05 < t < well_at] == []


async def test_watchdog_treats_a_raising_health_check_as_unhealthy(
    fake_systemd: FakeSystemd,
) -> None:
    def broken() -> bool:
        raise RuntimeError("supervisor gone")

    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(INTERVAL_USEC))
    async with watchdog_task(notifier, healthy=broken):
        await asyncio.sleep(5 * PERIOD)
    assert fake_systemd.pings() == []


async def test_watchdog_withholds_the_ping_after_a_lag_above_max_lag(
    fake_systemd: FakeSystemd,
) -> None:
    notifier = SystemdNotifier.from_environment(fake_systemd.watchdog_environ(INTERVAL_USEC))
    async with watchdog_task(notifier, max_lag=PERIOD / 2):
        await async_wait_for(lambda: len(fake_systemd.pings()) >= 2)
        before = fake_systemd.pings()[-1]
        time.sleep(1.5 * PERIOD)  # shorter than the interval, longer than max_lag
        await async_wait_for(lambda: fake_systemd.pings()[-1] > before)
    # Without max_lag the next ping would follow the block at once (about 1.5 periods after
    # `before`); with it, the late tick is skipped and the next one comes a period later.
    assert fake_systemd.pings()[-1] - before >= 2.3 * PERIOD


def test_stale_watchdog_usec_without_notify_socket_enables_no_watchdog() -> None:
    # A stale WATCHDOG_USEC without NOTIFY_SOCKET (e.g. exported in a shell) changes nothing.
    notifier = SystemdNotifier.from_environment({"WATCHDOG_USEC": "1000000"})
    assert notifier.watchdog_interval() is None
