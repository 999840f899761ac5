"""``gateway password set|reset``: the admin password from the gateway itself."""

from __future__ import annotations

import base64
import io
import os

import pytest

from gateway.app.admin_password import PASSWORD_FILE
from gateway.cli import main
from gateway.domain.config import GatewayConfigService
from gateway.store import Store


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def state(tmp_path, monkeypatch):
    (tmp_path / "gateway.toml").write_text("")
    monkeypatch.setenv("GATEWAY_CONFIG", str(tmp_path / "gateway.toml"))
    monkeypatch.setenv("GATEWAY_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    return tmp_path / "state"


async def accepts(state, password: str) -> bool:
    store = await Store.open(f"sqlite:///{state / 'gateway.db'}")
    try:
        config = GatewayConfigService(store)
        await config.load()
        return config.check_admin_token(basic("delight", password))
    finally:
        await store.close()


async def test_password_set_stores_the_chosen_password_and_removes_the_initial_file(
    state, monkeypatch, capsys
):
    (state / PASSWORD_FILE).write_text("the-generated-one\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert await_main(["password", "set", "--password-stdin"]) == 0
    assert "restart" in capsys.readouterr().out
    assert await accepts(state, "correct horse battery")
    assert not (state / PASSWORD_FILE).exists()


async def test_password_set_refuses_a_short_password_and_changes_nothing(
    state, monkeypatch, capsys
):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert await_main(["password", "set", "--password-stdin"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert not (state / "gateway.db").exists() or not await accepts(state, "short")


async def test_password_reset_shows_a_new_random_password_once_and_keeps_it_root_only(
    state, capsys
):
    assert await_main(["password", "reset"]) == 0
    out = capsys.readouterr().out
    password = out.split("new admin password for user delight: ", 1)[1].split()[0]
    assert await accepts(state, password)
    assert (state / PASSWORD_FILE).read_text().strip() == password
    assert os.stat(state / PASSWORD_FILE).st_mode & 0o077 == 0


def await_main(argv: list[str]) -> int:
    # The command runs its own event loop (asyncio.run); keep it off the test's loop.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(main, argv).result(timeout=60)


class Console(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize("tty", [True, False])
async def test_a_generated_password_goes_to_a_root_only_file_and_never_into_the_log(
    tmp_path, caplog, tty
):
    from gateway.app.admin_password import PasswordFile

    console = Console(tty)
    store = await Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        config = GatewayConfigService(store, announce_password=PasswordFile(tmp_path, console))
        with caplog.at_level("DEBUG"):
            await config.load()
    finally:
        await store.close()
    password = (tmp_path / PASSWORD_FILE).read_text().strip()
    assert os.stat(tmp_path / PASSWORD_FILE).st_mode & 0o777 == 0o600
    assert password not in caplog.text
    assert str(tmp_path / PASSWORD_FILE) in caplog.text
    assert (password in console.getvalue()) is tty
