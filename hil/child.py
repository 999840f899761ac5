"""One way to run an emulator as a child of the gateway (the virtual rig's stick and bus).

Why one launcher: both children are peers on the far side of a real transport (a pty, a
UDP tunnel), started by the gateway for ``make run`` and stopped with it. They share every
rule that keeps that safe:

* the child prints one *ready* line on stdout once it serves; start waits for it, bounded;
* it dies with the gateway, even a SIGKILLed one: the Linux parent-death signal sends it
  SIGTERM, and its stdin is a pipe that reaches EOF when the gateway is gone;
* it runs in its own session, so Ctrl-C in ``make run`` reaches the gateway, which stops
  its side first and the child after it, instead of both at once;
* its stdout is drained so it never blocks on a full pipe, and an exit we did not ask for
  is logged as the fault it is;
* with a :class:`RestartPolicy` such an exit is followed by a new child with the same
  command line, after a capped backoff: the virtual stick (or KNX interface) comes back
  like a real one that was power-cycled, and the gateway reconnects to it as it would to
  real hardware. Without the policy a killed emulator left the radio down until the
  gateway itself was restarted;
* the links it points at its ptys (``device_links``) go the moment it exits, as udev
  removes an unplugged stick's node: a SIGKILLed child cannot remove them itself, and
  a link left to a freed pty number leads the gateway into whichever pty gets it next;
* stop is bounded: close stdin, SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


EXIT_GRACE_S = 2.0  # how long a child's exit may precede the gateway's own stop


class ChildStartError(RuntimeError):
    """The child did not print its ready line in time; the message says what it did."""


@dataclass(frozen=True)
class RestartPolicy:
    """When a child that exited on its own is started again.

    The first restart follows ``initial`` seconds after the exit, each failed or
    short-lived one doubles the wait up to ``cap``; a child that ran ``stable_after``
    seconds counts as healthy and the next restart is quick again.
    """

    initial: float = 0.2
    factor: float = 2.0
    cap: float = 5.0
    stable_after: float = 30.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.cap < self.initial or self.factor < 1:
            raise ValueError("need 0 < initial <= cap and factor >= 1")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmulatorChild:
    """A child process that announces itself with one line matching ``ready``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        ready: re.Pattern[str],
        *,
        start_timeout: float,
        stop_timeout: float,
        stderr_file: Path | None = None,
        restart: RestartPolicy | None = None,
        on_restart: Callable[[re.Match[str]], None] | None = None,
        device_links: Sequence[Path] = (),
    ) -> None:
        self.name = name
        self.argv = list(argv)  # may be changed between starts (e.g. to keep a port)
        self.ready = ready
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.stderr_file = stderr_file
        self.restart = restart
        self.on_restart = on_restart
        self.device_links = tuple(device_links)
        self.restarts = 0  # children started again after an exit we did not ask for
        self._proc: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._stopping = False
        self._started_at = 0.0
        self._delay = restart.initial if restart is not None else 0.0

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> re.Match[str]:
        """Spawn the child and return the match of its ready line."""
        self._stopping = False
        return await self._spawn()

    async def _spawn(self) -> re.Match[str]:
        """One child: spawned, its ready line awaited (bounded), then watched.

        A child that does not get ready is terminated here, whatever interrupted the
        wait (time-out, a wrong line, our own cancellation by stop).
        """
        stderr: BinaryIO | None = None
        if self.stderr_file is not None:
            stderr = await asyncio.to_thread(self.stderr_file.open, "ab")
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                preexec_fn=_die_with_parent,
                start_new_session=True,
            )
        finally:
            if stderr is not None:
                stderr.close()
        assert proc.stdout is not None
        where = f" (see {self.stderr_file})" if self.stderr_file is not None else ""
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), self.start_timeout)
        except TimeoutError:
            await self._terminate(proc)
            raise ChildStartError(
                f"{self.name} did not start within {self.start_timeout:g} s{where}"
            ) from None
        except BaseException:
            await asyncio.shield(self._terminate(proc))
            raise
        text = line.decode(errors="replace").strip()
        match = self.ready.match(text)
        if match is None:
            await self._terminate(proc)
            raise ChildStartError(f"{self.name} did not start: {text!r}{where}")
        self._proc = proc
        self._started_at = asyncio.get_running_loop().time()
        self._watcher = asyncio.create_task(self._watch(proc), name=f"{self.name}-stdout")
        return match

    async def _watch(self, proc: asyncio.subprocess.Process) -> None:
        """Drain stdout (so the child never blocks) and deal with an exit we did not ask for."""
        assert proc.stdout is not None
        with contextlib.suppress(OSError):
            while await proc.stdout.readline():
                pass
        code = await proc.wait()
        self._unplug()
        # systemd's stop (KillMode=control-group) and a terminal's Ctrl-C signal the whole
        # group at once: the child may exit a moment before the gateway asks it to. Wait
        # for that request (stop() cancels this task) before calling the exit unexpected.
        await asyncio.sleep(EXIT_GRACE_S)
        if self._stopping:
            return
        log.error(
            "event=emulator_exited name=%r code=%s: the virtual peer is gone%s",
            self.name,
            code,
            "; restarting it" if self.restart is not None else "",
        )
        if self.restart is not None:
            await self._restart(self.restart)

    def _unplug(self) -> None:
        """Remove the links the child pointed at its ptys, as udev removes an unplugged
        stick's node. Why at once: a child that died (SIGKILL) could not remove them, and
        its pty's number is free: the kernel hands it to the next pty anyone opens (a
        soak's stick, a person's SSH session), and the gateway, retrying the link, would
        open that and write Zigbee frames into it. The restarted child makes them again."""
        for link in self.device_links:
            with contextlib.suppress(OSError):
                if link.is_symlink():
                    link.unlink()

    async def _restart(self, policy: RestartPolicy) -> None:
        """Start a new child after the backoff delay, until one gets ready or stop."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._started_at >= policy.stable_after:
            self._delay = policy.initial
        while not self._stopping:
            delay, self._delay = self._delay, min(self._delay * policy.factor, policy.cap)
            await asyncio.sleep(delay)
            if self._stopping:
                return
            try:
                match = await self._spawn()
            except (ChildStartError, OSError) as exc:
                log.error("event=emulator_restart_failed name=%r: %s", self.name, exc)
                continue
            self.restarts += 1
            log.warning(
                "event=emulator_restarted name=%r pid=%s restarts=%d after=%.1fs",
                self.name,
                self.pid,
                self.restarts,
                delay,
            )
            if self.on_restart is not None:
                self.on_restart(match)
            return

    async def _terminate(self, proc: asyncio.subprocess.Process) -> None:
        """Close stdin (the child exits), then SIGTERM, then SIGKILL, each bounded."""
        if proc.stdin is not None:
            proc.stdin.close()
        for action in (proc.terminate, proc.kill):
            if proc.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                action()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), self.stop_timeout)

    async def stop(self) -> None:
        """Stop the child (and any restart in progress), bounded."""
        self._stopping = True
        watcher, self._watcher = self._watcher, None
        if watcher is not None and watcher is not asyncio.current_task():
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
        if self._proc is not None:
            await self._terminate(self._proc)
            self._unplug()


class EmulatorHandle:
    """What every starter of one emulator child (the virtual stick, the virtual KNX
    interface, the one-child rig) shows its owner: the child's pid, whether it runs, how
    often it came back by itself, and a bounded stop. Subclasses set ``_child``."""

    _child: EmulatorChild

    @property
    def pid(self) -> int | None:
        return self._child.pid

    @property
    def running(self) -> bool:
        return self._child.running

    @property
    def restarts(self) -> int:
        """How often the emulator was started again after dying on its own."""
        return self._child.restarts

    async def stop(self) -> None:
        """Close its stdin (it exits), then SIGTERM, then SIGKILL, each bounded."""
        await self._child.stop()


# --- the child's half -----------------------------------------------------------------------


async def until_parent_says_stop() -> None:
    """Return on SIGINT/SIGTERM or when stdin reaches EOF: the child's half of the rules
    above, so that it ends with the gateway however the gateway ended."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    eof = asyncio.create_task(_stdin_closed())
    eof.add_done_callback(lambda _task: stop.set())
    try:
        await stop.wait()
    finally:
        eof.cancel()


async def _stdin_closed() -> None:
    """Returns when stdin reaches EOF (the parent is gone or closed the pipe)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        pass
