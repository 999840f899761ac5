"""The virtual Zigbee stick for ``radio.kind = "virtual"``: the ZNP emulator in a child process.

Why a child process: the gateway must drive the emulator exactly as it drives a CC2652 on
``/dev/zigbee`` — zigpy-znp on a serial port, with the emulator's own event loop and
timers on the far side — and the gateway process must never load emulator code. The
child is ``python -m hil.emulators.znp`` with its link, state file and control socket in
one directory (the gateway puts it under its state directory), so lamps that joined stay
joined across restarts, like a real network.

The child gets SIGTERM when the gateway dies (Linux parent-death signal), so a killed
gateway does not leave an orphaned emulator holding the state file.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import re
import signal
import sys
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
_READY = re.compile(r"^ready path=(\S+) pty=(\S+) control=(\S+)")
_PR_SET_PDEATHSIG = 1


class VirtualRadioError(RuntimeError):
    """The emulator child did not come up; the message says why."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class VirtualRadio:
    """Starts the emulator child and tells where the virtual stick is."""

    def __init__(
        self,
        directory: Path,
        *,
        lights: int = 3,
        fast: bool = False,
        start_timeout: float = START_TIMEOUT,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.directory = directory
        self.lights = lights
        self.fast = fast
        self.link = directory / "ttyZNP"
        self.state_file = directory / "znp-state.json"
        self.control = directory / "control.sock"
        self.log_file = directory / "emulator.log"
        self._start_timeout = start_timeout
        self._extra = extra_args
        self._proc: asyncio.subprocess.Process | None = None
        self._stdout: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def command_line(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "hil.emulators.znp",
            "--link",
            str(self.link),
            "--lights",
            str(self.lights),
            "--state",
            str(self.state_file),
            "--control",
            str(self.control),
        ]
        if self.fast:
            args.append("--fast")
        return [*args, *self._extra]

    async def start(self) -> str:
        """Spawn the emulator and wait for its ``ready`` line; returns the port to open."""
        await asyncio.to_thread(self.directory.mkdir, parents=True, exist_ok=True)
        log_fh: BinaryIO = await asyncio.to_thread(self.log_file.open, "ab")
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.command_line(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=log_fh,
                preexec_fn=_die_with_parent,
                # Its own session: Ctrl-C in ``make run`` reaches the gateway, which then
                # stops the radio before the emulator, instead of both at once.
                start_new_session=True,
            )
        finally:
            log_fh.close()
        assert self._proc.stdout is not None
        try:
            line = await asyncio.wait_for(self._proc.stdout.readline(), self._start_timeout)
        except TimeoutError:
            await self.stop()
            raise VirtualRadioError(
                f"ZNP emulator did not start within {self._start_timeout:g} s (see {self.log_file})"
            ) from None
        text = line.decode(errors="replace").strip()
        match = _READY.match(text)
        if match is None:
            await self.stop()
            raise VirtualRadioError(f"ZNP emulator did not start: {text!r} (see {self.log_file})")
        self._stdout = asyncio.create_task(
            self._drain(self._proc.stdout), name="virtual-radio-stdout"
        )
        log.info("virtual Zigbee stick at %s (emulator pid %s)", match.group(1), self._proc.pid)
        return match.group(1)

    @staticmethod
    async def _drain(stream: asyncio.StreamReader) -> None:
        """Keep reading the child's stdout so it never blocks on a full pipe."""
        while await stream.readline():
            pass

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._stdout is not None:
            self._stdout.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self._stdout
            self._stdout = None

    async def command(self, cmd: str, **args: Any) -> Any:
        """Send one control command (``state``, ``unplug``, ``device_off`` ...)."""
        reader, writer = await asyncio.open_unix_connection(str(self.control))
        try:
            writer.write(json.dumps({"cmd": cmd, "id": 1, **args}).encode() + b"\n")
            await writer.drain()
            answer = json.loads(await reader.readline())
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        if not answer.get("ok"):
            raise VirtualRadioError(f"{cmd}: {answer.get('error')}")
        return answer.get("result")


def _main() -> int:  # pragma: no cover - manual use
    """``python -m hil.virtual_radio DIR [LIGHTS]``: run the stick until Ctrl-C."""
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else ".run/virtual-radio")
    lights = int(sys.argv[2]) if len(sys.argv) > 2 else 3

    async def run() -> None:
        radio = VirtualRadio(directory, lights=lights)
        print(await radio.start(), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await radio.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
