"""First run on a terminal (``make run``): the page's address and how to sign in are shown.

The gateway runs as a real process whose stderr is a pseudo-terminal, as in a shell.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from gateway.app.admin_password import read_password_file
from tests.helpers.servers import free_port

REPO = Path(__file__).resolve().parents[1]


def read_until(fd: int, needle: str, timeout: float) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    return seen


def test_a_first_start_on_a_terminal_shows_the_page_address_and_the_password(tmp_path):
    (tmp_path / "gateway.toml").write_text("")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "JOURNAL_"))},
        "GATEWAY_STATE_DIR": str(tmp_path / "state"),
        "GATEWAY_HTTP_HOST": "127.0.0.1",
        "GATEWAY_HTTP_PORT": str(port),
        "GATEWAY_HTTP_WEBSOCKET_PORT": str(free_port()),
        "GATEWAY_THINKNX_PORT": str(free_port()),
        "GATEWAY_RADIO_KIND": "none",
        "GATEWAY_KNX_MODE": "none",
        "GATEWAY_DISCOVERY_SSDP": "false",
        "GATEWAY_DISCOVERY_MDNS": "false",
    }
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "--config", str(tmp_path / "gateway.toml"), "run"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env=env,
        cwd=REPO,
    )
    os.close(terminal)
    try:
        shown = read_until(controller, "and sign in as delight", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        os.close(controller)
    password = read_password_file(tmp_path / "state")
    assert f"Open http://127.0.0.1:{port}/ and sign in as delight" in shown
    assert f"password {password}" in shown  # shown once, on the terminal only
    assert proc.returncode == 0
