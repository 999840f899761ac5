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
* stop is bounded: close stdin, SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import re
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


EXIT_GRACE_S = 2.0  # how long a child's exit may precede the gateway's own stop


class ChildStartError(RuntimeError):
    """The child did not print its ready line in time; the message says what it did."""


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
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.ready = ready
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.stderr_file = stderr_file
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> re.Match[str]:
        """Spawn the child and return the match of its ready line."""
        self._stopping = False
        stderr: BinaryIO | None = None
        if self.stderr_file is not None:
            stderr = await asyncio.to_thread(self.stderr_file.open, "ab")
        try:
            self._proc = await asyncio.create_subprocess_exec(
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
        assert self._proc.stdout is not None
        where = f" (see {self.stderr_file})" if self.stderr_file is not None else ""
        try:
            line = await asyncio.wait_for(self._proc.stdout.readline(), self.start_timeout)
        except TimeoutError:
            await self.stop()
            raise ChildStartError(
                f"{self.name} did not start within {self.start_timeout:g} s{where}"
            ) from None
        text = line.decode(errors="replace").strip()
        match = self.ready.match(text)
        if match is None:
            await self.stop()
            raise ChildStartError(f"{self.name} did not start: {text!r}{where}")
        self._drain = asyncio.create_task(self._watch(), name=f"{self.name}-stdout")
        return match

    async def _watch(self) -> None:
        """Drain stdout (so the child never blocks) and report an exit we did not ask for."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        with contextlib.suppress(OSError):
            while await proc.stdout.readline():
                pass
        code = await proc.wait()
        # systemd's stop (KillMode=control-group) and a terminal's Ctrl-C signal the whole
        # group at once: the child may exit a moment before the gateway asks it to. Wait
        # for that request (stop() cancels this task) before calling the exit unexpected.
        await asyncio.sleep(EXIT_GRACE_S)
        if not self._stopping:
            log.error(
                "event=emulator_exited name=%r code=%s: the virtual peer is gone", self.name, code
            )

    async def stop(self) -> None:
        """Close stdin (the child exits), then SIGTERM, then SIGKILL, each bounded."""
        proc, self._stopping = self._proc, True
        if proc is not None:
            if proc.stdin is not None:
                proc.stdin.close()
            for action in (proc.terminate, proc.kill):
                if proc.returncode is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    action()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), self.stop_timeout)
        if self._drain is not None:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
            self._drain = None
