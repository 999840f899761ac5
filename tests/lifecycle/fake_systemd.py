"""A notify socket standing in for systemd, shared by the lifecycle tests.

The receiver is a thread that stamps each datagram with its arrival time, so it keeps
listening while a test blocks the event loop on purpose, or while the gateway runs in
another process.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class FakeSystemd:
    """A bound notify socket and everything that arrived on it, with arrival times."""

    def __init__(self, address: str, bind_to: str) -> None:
        self.address = address  # as it appears in $NOTIFY_SOCKET
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(bind_to)
        self.sock.settimeout(0.05)
        self._received: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._received.append((time.monotonic(), data.decode()))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()

    def messages(self) -> list[str]:
        with self._lock:
            return [m for _, m in self._received]

    def timed(self) -> list[tuple[float, str]]:
        with self._lock:
            return list(self._received)

    def pings(self) -> list[float]:
        """Arrival times of the ``WATCHDOG=1`` datagrams."""
        with self._lock:
            return [t for t, m in self._received if m == "WATCHDOG=1"]

    def first(self, predicate: Callable[[str], bool]) -> float | None:
        """Arrival time of the first message matching ``predicate``."""
        with self._lock:
            return next((t for t, m in self._received if predicate(m)), None)

    def environ(self, **extra: str) -> dict[str, str]:
        return {"NOTIFY_SOCKET": self.address, **extra}

    def watchdog_environ(self, usec: int) -> dict[str, str]:
        return self.environ(WATCHDOG_USEC=str(usec), WATCHDOG_PID=str(os.getpid()))


@contextmanager
def fake_systemd_at_a_path() -> Iterator[FakeSystemd]:
    # A short directory: Unix socket paths are limited to 107 bytes, pytest's tmp_path is not.
    directory = tempfile.mkdtemp(prefix="sdn-", dir="/tmp")
    path = os.path.join(directory, "notify")
    fake = FakeSystemd(path, path)
    try:
        yield fake
    finally:
        fake.close()
        shutil.rmtree(directory, ignore_errors=True)


def wait_for(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Poll from a thread-friendly context (the receiver is a thread)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)
