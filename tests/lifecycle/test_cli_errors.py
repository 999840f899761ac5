"""The command line answers a person's mistakes with one line, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers.servers import free_port
from tests.lifecycle.test_service_under_systemd import REPO, SANDBOX_SKIP, SYSTEM_PYTHON

UNPRIVILEGED = "nobody"


def _skip_reason() -> str | None:
    if SANDBOX_SKIP is not None:  # root, the system Python, a world-readable checkout
        return SANDBOX_SKIP
    if shutil.which("runuser") is None:
        return "needs runuser (util-linux)"
    return None


SKIP = _skip_reason()


@pytest.fixture
def locked_state():
    """A state directory the unprivileged user cannot enter, holding a database."""
    root = Path(tempfile.mkdtemp(prefix="gw-perm-", dir="/tmp"))
    root.chmod(0o755)
    (root / "gateway.toml").write_text("")
    (root / "gateway.toml").chmod(0o644)
    state = root / "state"
    state.mkdir(mode=0o700)
    (state / "gateway.db").write_bytes(b"")
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_as_nobody(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    site = next(p for p in sys.path if p.endswith("site-packages"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join([site, str(REPO)]),
        "GATEWAY_STATE_DIR": str(root / "state"),
        "GATEWAY_HTTP_HOST": "127.0.0.1",
        "GATEWAY_HTTP_PORT": str(free_port()),
        "GATEWAY_THINKNX_PORT": str(free_port()),
        "GATEWAY_HTTP_WEBSOCKET_PORT": str(free_port()),
        "GATEWAY_RADIO_KIND": "none",
        "GATEWAY_KNX_MODE": "none",
    }
    # The Pi runs the system Python with the venv's packages; so does this test.
    command = ["runuser", "-u", UNPRIVILEGED, "--", SYSTEM_PYTHON, "-m", "gateway"]
    return subprocess.run(
        [*command, "--config", str(root / "gateway.toml"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize(
    "args", [("run",), ("db", "current"), ("db", "upgrade"), ("thinknx", "user", "list")]
)
def test_an_unreadable_state_directory_is_one_line_not_a_traceback(locked_state, args):
    result = run_as_nobody(locked_state, *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # `run` also logs its stop (key=value lines); the error itself is one line of its own.
    lines = [line for line in result.stderr.splitlines() if not line.startswith("ts=")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gateway: permission denied: " + str(locked_state / "state"))
    assert "runuser -u gateway" in lines[0]


def test_db_current_does_not_create_a_database(tmp_path, monkeypatch, capsys):
    from gateway.cli import main

    (tmp_path / "gateway.toml").write_text("")
    monkeypatch.setenv("GATEWAY_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    assert main(["--config", str(tmp_path / "gateway.toml"), "db", "current"]) == 0
    assert "none (not migrated)" in capsys.readouterr().out
    assert list((tmp_path / "state").iterdir()) == []


def test_make_install_puts_the_command_on_path():
    """`gateway thinknx user add` (named in a log hint) must work as typed after install."""
    plan = subprocess.run(
        ["make", "-n", "install", "DESTDIR=/nonexistent-stage"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    ).stdout
    assert "ln -sfn /opt/gateway/venv/bin/gateway /nonexistent-stage/usr/local/bin/gateway" in plan
