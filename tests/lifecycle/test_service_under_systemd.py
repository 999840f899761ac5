"""The real gateway, started the way gateway.service starts it.

systemd runs ExecStart as the main process with ``$NOTIFY_SOCKET``, ``$WATCHDOG_USEC`` and
``$WATCHDOG_PID`` (its own pid) set, and stops it with SIGTERM. We do the same with a
notify socket of our own and check the whole conversation: STATUS lines while starting,
READY=1, watchdog pings at half the interval, STOPPING=1 on SIGTERM, exit status 0.

The unit's restrictions are applied for real where this machine allows it:

* ``MemoryDenyWriteExecute=yes``: Linux 6.3+ offers the same rule per process
  (``prctl(PR_SET_MDWE)``, kept across exec; newer systemd uses it for this setting, 252
  uses a seccomp filter with the same rule: no mapping may become writable and executable).
* ``User=`` (as ``nobody``; the ``gateway`` user does not exist here),
  ``SupplementaryGroups=``, ``UMask=``, ``NoNewPrivileges=`` and the unit's own
  ``SystemCallFilter=`` lines, through ``sandbox_exec.py`` (libseccomp from Debian's
  python3-seccomp, the groups expanded by ``systemd-analyze syscall-filter``).

The settings ask for the virtual radio and KNX rigs, so that zigpy-znp and xknx run under
the restrictions too once the composition root wires them (today it starts without them).
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
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


# -- the unit's user, syscall filter and memory rules ----------------------------------------

SYSTEM_PYTHON = "/usr/bin/python3"
SANDBOX = Path(__file__).with_name("sandbox_exec.py")
UNIT = Path(__file__).resolve().parents[2] / "systemd" / "gateway.service"
REPO = Path(__file__).resolve().parents[2]
SANDBOX_USER = "nobody"  # stands in for User=gateway


def _world_readable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in [path, *path.parents])


def _sandbox_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to switch to an unprivileged user as systemd's User= does"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import seccomp, sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import seccomp (Debian package python3-seccomp)"
    if probe.stdout.strip() != str(sys.version_info[:2]):
        wanted = sys.version_info[:2]
        return (
            f"{SYSTEM_PYTHON} is {probe.stdout.strip()}; the venv's compiled packages need {wanted}"
        )
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    for path in (REPO, site):
        if not _world_readable(path):
            return f"{path} is not readable by an unprivileged user"
    return None


SANDBOX_SKIP = _sandbox_skip_reason()
needs_sandbox = pytest.mark.skipif(SANDBOX_SKIP is not None, reason=SANDBOX_SKIP or "")


def sandboxed(*command: str) -> list[str]:
    return [SYSTEM_PYTHON, str(SANDBOX), str(UNIT), SANDBOX_USER, *command]


@needs_sandbox
def test_sandbox_kills_a_process_that_makes_a_privileged_system_call() -> None:
    """Guards the test below: the filter is loaded, and a violation is fatal, not EPERM."""
    ok = subprocess.run(sandboxed(SYSTEM_PYTHON, "-c", "import os; os.getpid()"), check=False)
    assert ok.returncode == 0
    chown = "import os; os.chown('/', 0, 0)"  # @chown is part of @privileged
    denied = subprocess.run(sandboxed(SYSTEM_PYTHON, "-c", chown), check=False)
    assert denied.returncode == -signal.SIGSYS


@needs_sandbox
def test_gateway_runs_as_an_unprivileged_user_under_the_units_syscall_filter(
    fake_systemd,
) -> None:
    # Everything the unprivileged user must reach lives in a world-readable directory;
    # pytest's tmp_path is private to root.
    workdir = Path(tempfile.mkdtemp(prefix="gw-sandbox-", dir="/tmp"))
    Path(fake_systemd.address).parent.chmod(0o755)  # systemd's notify socket is reachable
    Path(fake_systemd.address).chmod(0o777)  # by every service user; so is ours
    try:
        workdir.chmod(0o755)
        config = settings_file(workdir, radio="virtual", knx="virtual")
        config.chmod(0o644)
        (workdir / "state").mkdir()
        shutil.chown(workdir / "state", user=SANDBOX_USER)
        site = next(p for p in sys.path if p.endswith("site-packages"))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
            **fake_systemd.environ(WATCHDOG_USEC=str(WATCHDOG_USEC)),
            # The Pi runs the system Python with the venv's packages; so does this test.
            "PYTHONPATH": os.pathsep.join([site, str(REPO)]),
            "PYTHONFAULTHANDLER": "1",
        }
        proc = subprocess.Popen(
            sandboxed(SYSTEM_PYTHON, "-m", "gateway", "--config", str(config), "run"),
            env=env,
            cwd=workdir,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_ready(proc, fake_systemd)
            ready_at = fake_systemd.first(lambda m: "READY=1" in m)
            wait_for(lambda: any(t > ready_at for t in fake_systemd.pings()), timeout=10)
        finally:
            status, stderr = stop(proc)
        assert status == 0, stderr
        assert any(m.startswith("STOPPING=1") for m in fake_systemd.messages())
        assert any(p.stat().st_uid != 0 for p in (workdir / "state").iterdir())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
