"""The real ``gateway`` console script, started the way gateway.service starts it.

systemd runs ExecStart as the main process with ``$NOTIFY_SOCKET``, ``$WATCHDOG_USEC`` and
``$WATCHDOG_PID`` (its own pid) set, and stops it with SIGTERM. We do the same with a
notify socket of our own and check the whole conversation: STATUS lines while starting,
READY=1, watchdog pings at half the interval, STOPPING=1 on SIGTERM, exit status 0.

The unit also sets ``MemoryDenyWriteExecute=yes``. On Linux 6.3+ the kernel offers the same
rule per process (``prctl(PR_SET_MDWE)``, which newer systemd uses for that setting; it is
kept across exec), so one test starts the gateway with it, the virtual radio and KNX rigs
included, to show the interpreter and every library we load run without writable-executable
memory. (systemd 252 enforces the setting with a seccomp filter instead; the rule is the
same: no mapping may become both writable and executable.)
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.servers import free_port
from tests.lifecycle.fake_systemd import FakeSystemd, fake_systemd_at_a_path, wait_for
from tests.lifecycle.test_systemd_unit import exec_start_argv

CONSOLE_SCRIPT = Path(sys.executable).with_name("gateway")
WATCHDOG_USEC = 1_000_000  # pings every 0.5 s
START_TIMEOUT = 60.0

# Runs in the child before it becomes the gateway: like systemd, set WATCHDOG_PID to the
# main process (exec keeps the pid) and optionally forbid writable-executable memory.
EXEC_AS_SYSTEMD_DOES = textwrap.dedent(
    """\
    import ctypes, os, sys
    os.environ["WATCHDOG_PID"] = str(os.getpid())
    if os.environ.pop("TEST_MDWE", "") == "1":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(65, 1, 0, 0, 0) != 0 or libc.prctl(66, 0, 0, 0, 0) != 1:
            sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
    os.execv(sys.argv[1], sys.argv[1:])
    """
)


def kernel_has_mdwe() -> bool:
    """True if this kernel implements PR_SET_MDWE (asked in a throw-away child)."""
    probe = "import ctypes, sys; sys.exit(ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0)"
    return subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


NO_MDWE_REASON = "kernel without PR_SET_MDWE (Linux < 6.3): cannot apply MemoryDenyWriteExecute"


@pytest.fixture
def fake_systemd() -> Iterator[FakeSystemd]:
    with fake_systemd_at_a_path() as fake:
        yield fake


def settings_file(tmp_path: Path, *, radio: str, knx: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            [gateway]
            state_dir = "{tmp_path / "state"}"
            [http]
            host = "127.0.0.1"
            port = {free_port()}
            websocket_port = {free_port()}
            [thinknx]
            host = "127.0.0.1"
            port = {free_port()}
            [radio]
            kind = "{radio}"
            virtual_lights = 1
            [knx]
            mode = "{knx}"
            """
        )
    )
    return path


def start_gateway(config: Path, fake: FakeSystemd, *, mdwe: bool) -> subprocess.Popen[str]:
    """ExecStart's command line with the test's settings file, in systemd's environment."""
    argv = exec_start_argv()
    argv[0] = str(CONSOLE_SCRIPT)
    argv[argv.index("--config") + 1] = str(config)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
        **fake.environ(WATCHDOG_USEC=str(WATCHDOG_USEC)),
        "TEST_MDWE": "1" if mdwe else "0",
        "PYTHONFAULTHANDLER": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-c", EXEC_AS_SYSTEMD_DOES, *argv],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return status, proc.stderr.read() if proc.stderr else ""


def wait_ready(proc: subprocess.Popen[str], fake: FakeSystemd) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while fake.first(lambda m: "READY=1" in m) is None:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"gateway exited with {proc.returncode} before READY=1:\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"no READY=1 within {START_TIMEOUT} s; got {fake.messages()}")
        time.sleep(0.02)


def test_gateway_run_speaks_sd_notify_from_start_to_stop(tmp_path: Path, fake_systemd) -> None:
    assert CONSOLE_SCRIPT.exists(), "the console script is installed with the package"
    proc = start_gateway(
        settings_file(tmp_path, radio="none", knx="none"), fake_systemd, mdwe=False
    )
    try:
        wait_ready(proc, fake_systemd)
        ready_at = fake_systemd.first(lambda m: "READY=1" in m)
        wait_for(lambda: len([t for t in fake_systemd.pings() if t > ready_at]) >= 3, timeout=10)
    finally:
        status, stderr = stop(proc)
    messages = fake_systemd.messages()
    ready = next(i for i, m in enumerate(messages) if "READY=1" in m)
    assert any(m.startswith("STATUS=") for m in messages[:ready]), messages
    assert any(m.startswith("STOPPING=1") for m in messages[ready:]), messages
    pings = [t for t in fake_systemd.pings() if t > ready_at]
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    assert all(0.35 <= gap <= 1.0 for gap in gaps), gaps  # half of WATCHDOG_USEC = 0.5 s
    assert status == 0, stderr


@pytest.mark.skipif(not kernel_has_mdwe(), reason=NO_MDWE_REASON)
def test_gateway_runs_with_the_virtual_rigs_under_memory_deny_write_execute(
    tmp_path: Path, fake_systemd
) -> None:
    config = settings_file(tmp_path, radio="virtual", knx="virtual")
    proc = start_gateway(config, fake_systemd, mdwe=True)
    try:
        wait_ready(proc, fake_systemd)
        ready_at = fake_systemd.first(lambda m: "READY=1" in m)
        wait_for(lambda: any(t > ready_at for t in fake_systemd.pings()), timeout=10)
    finally:
        status, stderr = stop(proc)
    assert status == 0, stderr


@pytest.mark.skipif(not kernel_has_mdwe(), reason=NO_MDWE_REASON)
def test_exec_wrapper_really_forbids_writable_executable_memory_after_exec() -> None:
    """Guards the test above: what the wrapper sets up survives exec and is enforced."""
    attempt = (
        "import mmap\n"
        "try:\n"
        "    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
        "    print('mapped')\n"
        "except PermissionError:\n"
        "    print('refused')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", EXEC_AS_SYSTEMD_DOES, sys.executable, "-c", attempt],
        env={**os.environ, "TEST_MDWE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "refused", result.stderr
