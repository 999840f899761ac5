"""Child processes of the rig and the systemd notify socket the gateway reports to.

Why processes and plain threads instead of the test's event loop: the gateway, the ZNP
emulator and the KNX emulator are separate programs on the rig, as they are on a Pi (the
gateway on one side of a serial port and a UDP tunnel, the peers on the other). They must
keep running, and their output must keep being drained, between tests and while a test
blocks; pytest-asyncio gives each test its own loop, which would stop them. So the rig is
synchronous (``subprocess`` + threads) and the scenarios talk to it over sockets.

Every child gets SIGTERM when the test process dies (Linux parent-death signal), so an
interrupted run does not leave a gateway or an emulator behind holding ports and ptys. The
signal follows the forking *thread*, so children are started from the main thread only
(blocking the scenario's loop for the seconds a start takes).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import selectors
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1
STOP_TIMEOUT = 10.0


class ChildError(RuntimeError):
    """A child did not start, or stopped in a way it should not have; says why."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port the OS considers free on loopback now (several runs may share the machine)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for failure messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class ChildProcess:
    """One program of the rig: started, optionally waited for a first stdout line, stopped.

    stdout and stderr both end up in ``log``; stdout goes through a pipe first so that
    :meth:`start` can wait for the line a program prints when it is ready.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self._drain: threading.Thread | None = None
        self._log_fh: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, ready: re.Pattern[str] | None = None, timeout: float = 30.0) -> str:
        """Spawn; with ``ready``, wait for a matching stdout line and return it.

        Only from the main thread: Linux sends the parent-death signal when the *thread*
        that forked exits, so a child started from a worker thread (``asyncio.to_thread``)
        would be terminated as soon as that worker is retired.
        """
        if threading.current_thread() is not threading.main_thread():
            raise ChildError(f"{self.name}: start children from the main thread only")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_fh = self.log.open("ab")
        self._log_fh.write(f"--- start {self.name}: {' '.join(self.argv)}\n".encode())
        self._log_fh.flush()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log_fh,
            env=self.env,
            cwd=self.cwd,
            preexec_fn=_die_with_parent,
        )
        line = ""
        if ready is not None:
            line = self._wait_for_line(ready, timeout)
        self._drain = threading.Thread(
            target=self._copy_stdout, name=f"{self.name}-out", daemon=True
        )
        self._drain.start()
        return line

    def _wait_for_line(self, ready: re.Pattern[str], timeout: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        stdout = self.proc.stdout
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while True:
                while b"\n" in buffer:
                    raw, buffer = buffer.split(b"\n", 1)
                    text = raw.decode(errors="replace")
                    self._write_log(raw + b"\n")
                    if ready.search(text):
                        if buffer:
                            self._write_log(buffer)
                        return text
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.kill()
                    raise ChildError(
                        f"{self.name} did not become ready within {timeout:g} s; log:\n"
                        + tail(self.log)
                    )
                if not selector.select(min(remaining, 0.2)):
                    if self.proc.poll() is not None:
                        raise ChildError(
                            f"{self.name} exited with {self.proc.returncode} before it was "
                            "ready; log:\n" + tail(self.log)
                        )
                    continue
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    self.proc.wait()
                    raise ChildError(
                        f"{self.name} exited with {self.proc.returncode} before it was ready; "
                        "log:\n" + tail(self.log)
                    )
                buffer += chunk

    def _write_log(self, data: bytes) -> None:
        if self._log_fh is not None and not self._log_fh.closed:
            self._log_fh.write(data)
            self._log_fh.flush()

    def _copy_stdout(self) -> None:
        proc = self.proc
        if proc is None or proc.stdout is None:
            return
        with contextlib.suppress(OSError, ValueError):
            while chunk := os.read(proc.stdout.fileno(), 65536):
                self._write_log(chunk)

    def signal(self, signum: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit status."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._finish()
        return proc.returncode

    def kill(self) -> int | None:
        """SIGKILL: what a power cut does to a process (no handler runs, nothing flushes)."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        self._finish()
        return proc.returncode

    def _finish(self) -> None:
        if self._drain is not None:
            self._drain.join(timeout=2)
            self._drain = None
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None


class NotifySocket:
    """A datagram socket standing in for systemd's ``$NOTIFY_SOCKET``.

    A thread receives, so the gateway's READY/STATUS/WATCHDOG datagrams are taken and
    time-stamped whatever the test is doing.
    """

    def __init__(self, path: Path) -> None:
        if len(str(path)) > 100:
            raise ValueError(f"notify socket path too long for AF_UNIX: {path}")
        self.path = path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(path))
        self._sock.settimeout(0.1)
        self._messages: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, name="notify", daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._messages.append((time.monotonic(), data.decode(errors="replace")))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def messages(self, since: int = 0) -> list[str]:
        with self._lock:
            return [m for _, m in self._messages[since:]]

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def assignments(self, since: int = 0) -> list[dict[str, str]]:
        """Each datagram as its ``KEY=value`` lines."""
        return [
            dict(line.split("=", 1) for line in m.splitlines() if "=" in line)
            for m in self.messages(since)
        ]

    def wait_for(
        self,
        predicate: Callable[[dict[str, str]], bool],
        *,
        timeout: float,
        since: int = 0,
        alive: Callable[[], bool] = lambda: True,
    ) -> dict[str, str]:
        """The first datagram (from index ``since``) matching; ChildError on timeout or
        when ``alive()`` turns false first."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.assignments(since):
                if predicate(message):
                    return message
            if not alive():
                raise ChildError("the process exited before the awaited notification")
            if time.monotonic() > deadline:
                raise ChildError(
                    f"no matching notification within {timeout:g} s; got {self.messages(since)}"
                )
            time.sleep(0.02)
