"""The composition root: start order, READY only when serving, clean stop, clear errors."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gateway.app import Gateway, StartupError
from gateway.app.systemd import SystemdNotifier
from tests.helpers.gateway_settings import gateway_settings as settings_for
from tests.helpers.servers import free_port


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.setblocking(False)
    yield path, sock
    sock.close()


def drain(sock: socket.socket) -> list[str]:
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except BlockingIOError:
            return messages


async def test_gateway_serves_the_api_and_says_ready_only_once_listening(tmp_path, notify_socket):
    path, sock = notify_socket
    settings = settings_for(tmp_path)
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": str(path)})
    gateway = Gateway(settings, notifier=notifier)
    await gateway.start()
    try:
        messages = drain(sock)
        ready = [m for m in messages if "READY=1" in m]
        assert len(ready) == 1
        # READY was sent after the socket was listening: a request now succeeds.
        async with httpx.AsyncClient() as client:
            r = await client.get(f"http://127.0.0.1:{settings.http.port}/api/config")
        assert r.status_code == 200
        assert r.json()["modelid"] == "deCONZ"
        assert gateway.healthy()
    finally:
        await gateway.stop()
    assert any("STOPPING=1" in m for m in drain(sock))
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{settings.http.port}/api/config")


async def test_a_busy_port_is_a_startup_error_naming_the_setting(tmp_path):
    settings = settings_for(tmp_path)
    blocker = socket.create_server(("127.0.0.1", settings.http.port))
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    try:
        with pytest.raises(StartupError, match=r"http\.port: cannot listen on 127\.0\.0\.1"):
            await gateway.start()
    finally:
        await gateway.stop()
        blocker.close()


async def test_configuration_survives_a_restart_of_the_whole_service(tmp_path):
    settings = settings_for(tmp_path)
    base = f"http://127.0.0.1:{settings.http.port}"
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        assert gateway.config is not None
        gateway.config.unlock(60)
        async with httpx.AsyncClient() as client:
            key = (await client.post(f"{base}/api", json={"devicetype": "t"})).json()[0]["success"][
                "username"
            ]
            await client.put(f"{base}/api/{key}/config", json={"name": "kept"})
    finally:
        await gateway.stop()
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{base}/api/{key}/config")).json()["name"] == "kept"
    finally:
        await gateway.stop()


def test_gateway_run_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GATEWAY_STATE_DIR": str(tmp_path / "state"),
        "GATEWAY_HTTP_HOST": "127.0.0.1",
        "GATEWAY_HTTP_PORT": str(port),
        "GATEWAY_RADIO_KIND": "none",
        "GATEWAY_KNX_MODE": "none",
        "GATEWAY_THINKNX_ENABLED": "false",
    }
    config = tmp_path / "g.toml"
    config.write_text("")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "--config", str(config), "run"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/config").status_code == 200:
                    break
            except httpx.ConnectError:
                pass
            if proc.poll() is not None:
                break
            import time

            time.sleep(0.05)
        else:
            pytest.fail("gateway did not come up")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "gateway stopped" in proc.stderr.read()


@pytest.mark.parametrize(
    "env,expected",
    [
        ({"GATEWAY_HTTP_PORT": "abc"}, "configuration error: http.port: must be a number"),
        ({"GATEWAY_RADIO_KIND": "zigbee"}, "configuration error: radio.kind: must be one of"),
    ],
)
def test_a_bad_setting_exits_with_one_line_naming_it(tmp_path, env, expected):
    config = tmp_path / "g.toml"
    config.write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "gateway", "--config", str(config), "run"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert expected in proc.stderr


def test_db_upgrade_command_migrates_and_reports_the_revision(tmp_path):
    from gateway.store.db import head_revisions

    config = tmp_path / "g.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path / "s"}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "gateway", "--config", str(config), "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"database at revision {head_revisions()[0]}" in proc.stdout
    assert (tmp_path / "s" / "gateway.db").exists()


async def test_watchdog_reports_unhealthy_when_a_server_dies(tmp_path):
    settings = settings_for(tmp_path)
    gateway = Gateway(settings, notifier=SystemdNotifier(None))
    await gateway.start()
    try:
        assert gateway.healthy()
        _, _, task = gateway._servers[0]
        task.cancel()
        await asyncio.sleep(0.05)
        assert not gateway.healthy()
    finally:
        await gateway.stop()


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "/x/g.toml", "run"],
        ["run", "--config", "/x/g.toml"],
        ["db", "upgrade", "--config", "/x/g.toml"],
        ["--config", "/x/g.toml", "check-config"],
    ],
)
def test_config_is_accepted_before_and_after_the_subcommand(argv):
    from gateway.cli import build_parser

    assert build_parser().parse_args(argv).config == Path("/x/g.toml")


async def test_a_direct_stop_is_not_reported_as_an_unexpected_server_exit(tmp_path, caplog):
    gateway = Gateway(settings_for(tmp_path), notifier=SystemdNotifier(None))
    await gateway.start()
    await gateway.stop()
    assert not [r for r in caplog.records if "stopped unexpectedly" in r.getMessage()]


async def test_systemd_status_follows_the_field_buses_after_ready(tmp_path, notify_socket):
    from gateway.app.contribution import Contribution

    path, sock = notify_socket
    gateway = Gateway(
        settings_for(tmp_path),
        notifier=SystemdNotifier.from_environment({"NOTIFY_SOCKET": str(path)}),
    )
    radio = {"text": "zigbee znp: connecting"}
    gateway._contributions.append(Contribution(status=lambda: radio["text"]))
    await gateway.start()
    try:
        drain(sock)
        radio["text"] = "zigbee znp: running on channel 15"
        for _ in range(40):
            await asyncio.sleep(0.1)
            statuses = [m for m in drain(sock) if "STATUS=" in m]
            if statuses:
                break
        assert statuses and "zigbee znp: running on channel 15" in statuses[-1]
        await asyncio.sleep(1.5)
        assert not [m for m in drain(sock) if "STATUS=" in m]  # unchanged: not re-sent
    finally:
        await gateway.stop()
