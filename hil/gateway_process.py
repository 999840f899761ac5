"""The gateway under test: ``python -m gateway --config gateway.toml run``, as systemd runs it.

Why a real process: the HIL suite checks the product, not a composition of its classes. The
gateway gets a settings file like ``/etc/gateway/gateway.toml``, the environment the unit
file sets (``PYTHONUNBUFFERED``, ``PYTHONFAULTHANDLER``, ``NOTIFY_SOCKET``,
``WATCHDOG_USEC``), and is judged only by what it says on its sockets: sd_notify, HTTP,
websocket, the serial port and the KNX tunnel. Its log is a file the scenarios may read, as
an operator reads the journal.

``GATEWAY_*`` variables of the caller are not passed on: they would override the settings
file (``GATEWAY_HTTP_PORT`` in a developer's shell, or the suite's own ``GATEWAY_HIL_*``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from hil.processes import ChildError, ChildProcess, NotifySocket, tail

READY_TIMEOUT = 60.0  # the unit allows 120 s; the rig starts in about 3 s
WATCHDOG_USEC = 30_000_000  # WatchdogSec=30s, as in systemd/gateway.service
_KNX_STATE = re.compile(r"event=knx_link_state from=\S+ to=(\S+)")
THINKNX_USER = "hil"
THINKNX_PASSWORD = "hil-rig-password"  # a test rig's credential, not a secret


@dataclass(frozen=True)
class GatewaySettings:
    """What the rig decides about the gateway; everything else is the gateway's default."""

    state_dir: Path
    http_port: int
    websocket_port: int
    thinknx_port: int
    radio_kind: str
    radio_path: str
    knx_host: str
    knx_port: int
    devices_file: Path
    radio_baudrate: int = 115200
    log_level: str = "INFO"

    def toml(self) -> str:
        """The settings file, shaped like ``systemd/gateway.toml.example``."""

        def q(value: object) -> str:
            return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

        return "\n".join(
            [
                "# written by the HIL suite (hil/gateway_process.py)",
                "[gateway]",
                f"state_dir = {q(self.state_dir)}",
                f"log_level = {q(self.log_level)}",
                "",
                "[http]",
                'host = "127.0.0.1"',
                f"port = {self.http_port}",
                f"websocket_port = {self.websocket_port}",
                "",
                "[thinknx]",
                'host = "127.0.0.1"',
                f"port = {self.thinknx_port}",
                f"devices_file = {q(self.devices_file)}",
                "",
                "[radio]",
                f"kind = {q(self.radio_kind)}",
                f"path = {q(self.radio_path)}",
                f"baudrate = {self.radio_baudrate}",
                "",
                "[knx]",
                'mode = "tunnel_udp"',
                f"gateway_host = {q(self.knx_host)}",
                f"gateway_port = {self.knx_port}",
                "",
            ]
        )


def gateway_environment(notify: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1", PYTHONDONTWRITEBYTECODE="1")
    for key in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        env.pop(key, None)
    if notify is not None:
        env["NOTIFY_SOCKET"] = str(notify)
        env["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
    return env


class GatewayProcess:
    """Start (waiting for READY=1), stop (SIGTERM), kill (power cut), read the log."""

    def __init__(self, settings: GatewaySettings, workdir: Path, notify: NotifySocket) -> None:
        self.settings = settings
        self.workdir = workdir
        self.config_path = workdir / "gateway.toml"
        self.log = workdir / "gateway.log"
        self.notify = notify
        self.starts = 0
        self._child: ChildProcess | None = None
        self.ready_at: float | None = None
        self.ready_message: dict[str, str] = {}
        self.startup_seconds: float | None = None

    @property
    def pid(self) -> int | None:
        return None if self._child is None else self._child.pid

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.running

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "gateway", "--config", str(self.config_path), *args]

    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.settings.toml())

    def add_thinknx_user(self) -> None:
        """``gateway thinknx user add`` — the operator's way, before the first start."""
        result = subprocess.run(
            self._command("thinknx", "user", "add", THINKNX_USER, "--password-stdin"),
            input=THINKNX_PASSWORD + "\n",
            capture_output=True,
            text=True,
            env=gateway_environment(None),
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise ChildError(f"gateway thinknx user add failed: {result.stderr.strip()}")

    def start(self, timeout: float = READY_TIMEOUT) -> dict[str, str]:
        """Start and wait for READY=1; returns that datagram (READY, STATUS)."""
        if self.running:
            raise ChildError("the gateway is already running")
        since = self.notify.count()
        self._child = ChildProcess(
            "gateway",
            self._command("run"),
            self.log,
            env=gateway_environment(self.notify.path),
            cwd=self.workdir,
        )
        started = time.monotonic()
        self._child.start()
        self.starts += 1
        child = self._child
        try:
            message = self.notify.wait_for(
                lambda m: m.get("READY") == "1",
                timeout=timeout,
                since=since,
                alive=lambda: child.running,
            )
        except ChildError as exc:
            child.kill()
            raise ChildError(
                f"gateway did not report READY=1: {exc}; log:\n{tail(self.log)}"
            ) from None
        self.ready_at = time.monotonic()
        self.ready_message = message
        self.startup_seconds = self.ready_at - started
        return message

    def stop(self, timeout: float = 35.0) -> int | None:
        """SIGTERM as ``systemctl stop`` sends it (TimeoutStopSec=30s, then SIGKILL)."""
        if self._child is None:
            return None
        return self._child.stop(timeout)

    def kill(self) -> int | None:
        """SIGKILL: the power cut. Nothing of the gateway's runs after this."""
        if self._child is None:
            return None
        return self._child.kill()

    def signal(self, signum: int = signal.SIGTERM) -> None:
        if self._child is not None:
            self._child.signal(signum)

    def latest_status(self) -> str:
        """The last ``STATUS=`` sent: what ``systemctl status gateway`` shows."""
        statuses = [m["STATUS"] for m in self.notify.assignments() if "STATUS" in m]
        return statuses[-1] if statuses else ""

    # -- the journal --------------------------------------------------------------------------

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except FileNotFoundError:
            return 0

    def log_text(self, since: int = 0) -> str:
        with self.log.open("rb") as fh:
            fh.seek(since)
            return fh.read().decode(errors="replace")

    def knx_link_state(self) -> str | None:
        """The KNX link's state as last logged (``event=knx_link_state ... to=<state>``)."""
        states = _KNX_STATE.findall(self.log_text())
        return states[-1] if states else None

    def wait_for_log(self, pattern: str, *, timeout: float, since: int = 0) -> re.Match[str]:
        """The first match of ``pattern`` in the log after byte ``since``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.log_text(since))
            if match is not None:
                return match
            if time.monotonic() > deadline:
                raise ChildError(
                    f"gateway log has no {pattern!r} within {timeout:g} s; log:\n{tail(self.log)}"
                )
            time.sleep(0.05)
