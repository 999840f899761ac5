"""Journal priorities: ``journalctl -p warning`` finds the gateway's warnings and errors.

Under systemd, stderr is a stream to journald and every line would be stored at "info".
The gateway prefixes each line with its syslog priority (``<4>``) when — and only when —
its stderr is that stream (``JOURNAL_STREAM`` names its device and inode). The acceptance
test runs a real ``systemd-journald`` in a private mount namespace, connects a child's
stderr to it exactly as systemd does, and reads the priorities back with ``journalctl``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gateway.logsetup import stderr_is_the_journal

REPO = Path(__file__).resolve().parents[2]
JOURNALD = Path("/lib/systemd/systemd-journald")
EMIT = (
    "import logging; from gateway.logsetup import configure_logging; configure_logging('INFO'); "
    "log = logging.getLogger('gateway.test'); "
    "log.info('an info line'); log.warning('a warning line'); log.error('an error line')"
)


def _run_emitter(stderr_path: Path, journal_stream: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    if journal_stream is not None:
        env["JOURNAL_STREAM"] = journal_stream
    with stderr_path.open("w") as err:
        subprocess.run([sys.executable, "-c", EMIT], stderr=err, env=env, check=True, cwd=REPO)
    return stderr_path.read_text()


def test_lines_carry_their_syslog_priority_when_stderr_is_the_journal(tmp_path):
    target = tmp_path / "stderr"
    target.touch()
    info = os.stat(target)
    lines = _run_emitter(target, f"{info.st_dev}:{info.st_ino}").splitlines()
    assert [line[:3] for line in lines] == ["<6>", "<4>", "<3>"]
    assert "a warning line" in lines[1]


def test_no_prefix_when_stderr_is_not_the_stream_journald_gave(tmp_path):
    other = tmp_path / "other"
    other.touch()
    info = os.stat(other)
    lines = _run_emitter(tmp_path / "stderr", f"{info.st_dev}:{info.st_ino}").splitlines()
    assert len(lines) == 3
    assert not any(line.startswith("<") for line in lines)


@pytest.mark.parametrize("value", ["", "12", "a:b", "1:2:3", ":"])
def test_a_malformed_journal_stream_variable_means_no_journal(value):
    assert stderr_is_the_journal(environ={"JOURNAL_STREAM": value}) is False


def _journald_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to run systemd-journald in a private mount namespace"
    if not JOURNALD.exists() or shutil.which("journalctl") is None:
        return "needs systemd-journald and journalctl (Debian package systemd)"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    return None


JOURNALD_SKIP = _journald_skip_reason()

SCRIPT = textwrap.dedent(
    """
    set -e
    mkdir -p /run/systemd /run/log
    mount -t tmpfs tmpfs /run/systemd
    mount -t tmpfs tmpfs /run/log
    {journald} &
    JOURNALD=$!
    trap 'kill $JOURNALD' EXIT
    for i in $(seq 100); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.05; done
    "$PYTHON" - <<'PY'
    import os, socket, subprocess, sys
    stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stream.connect("/run/systemd/journal/stdout")
    # What systemd sends first for StandardError=journal, SyslogLevelPrefix=yes:
    # identifier, unit, default priority, level prefix, forward to syslog/kmsg/console.
    stream.sendall(b"gateway-test\\n\\n6\\n1\\n0\\n0\\n0\\n")
    info = os.fstat(stream.fileno())
    env = dict(os.environ, JOURNAL_STREAM=f"{{info.st_dev}}:{{info.st_ino}}")
    subprocess.run([sys.executable, "-c", os.environ["EMIT"]], stderr=stream.fileno(),
                   env=env, check=True)
    stream.close()
    PY
    for i in $(seq 100); do
      journalctl -D /run/log/journal -t gateway-test -o cat --no-pager 2>/dev/null \\
        | grep -q "an error line" && break
      sleep 0.05
    done
    echo "== warning"
    journalctl -D /run/log/journal -t gateway-test -p warning -o cat --no-pager
    echo "== all"
    journalctl -D /run/log/journal -t gateway-test -o cat --no-pager
    """
)


@pytest.mark.skipif(JOURNALD_SKIP is not None, reason=JOURNALD_SKIP or "")
def test_journalctl_priority_filter_finds_warnings_and_errors_only():
    env = {**os.environ, "PYTHON": sys.executable, "EMIT": EMIT}
    result = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", SCRIPT.format(journald=JOURNALD)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    warning, _, everything = result.stdout.partition("== all")
    assert "a warning line" in warning and "an error line" in warning
    assert "an info line" not in warning
    assert "an info line" in everything
    assert "<6>" not in everything  # journald took the prefix as the priority
