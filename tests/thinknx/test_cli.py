"""``gateway thinknx ...``: users (hashes only in the store) and catalogue checks."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import pytest

from gateway.cli import main


@pytest.fixture
def configured(tmp_path, monkeypatch) -> Path:
    config = tmp_path / "gateway.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path / "state"}"\n')
    monkeypatch.delenv("GATEWAY_STATE_DIR", raising=False)
    return config


def rows(config: Path) -> list[tuple[str, str, str, str]]:
    db = config.parent / "state" / "gateway.db"
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT name, realm, ha1, password_hash FROM thinknx_users").fetchall()


def test_user_add_stores_only_the_digest_ha1_and_a_salted_hash(configured, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    code = main(["--config", str(configured), "thinknx", "user", "add", "alice",
                 "--password-stdin"])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out == "user alice added\n"
    [(name, realm, ha1, password_hash)] = rows(configured)
    assert (name, realm) == ("alice", "thinknx")
    assert ha1 == hashlib.md5(b"alice:thinknx:long-enough-pw").hexdigest()
    assert password_hash.startswith("scrypt$")
    assert "long-enough-pw" not in password_hash


def test_user_add_again_changes_the_password(configured, monkeypatch, capsys):
    for password in ("first-password", "second-password"):
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        main(["--config", str(configured), "thinknx", "user", "add", "bob", "--password-stdin"])
    assert capsys.readouterr().out.splitlines() == ["user bob added", "user bob updated"]
    [(_, _, ha1, _)] = rows(configured)
    assert ha1 == hashlib.md5(b"bob:thinknx:second-password").hexdigest()


def test_user_add_refuses_a_short_password(configured, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code = main(["--config", str(configured), "thinknx", "user", "add", "carol",
                 "--password-stdin"])  # fmt: skip
    assert code == 1
    assert "password must be 8..256 characters" in capsys.readouterr().err


def test_user_add_refuses_a_name_with_a_colon(configured, capsys):
    code = main(["--config", str(configured), "thinknx", "user", "add", "a:b", "--password-stdin"])
    assert code == 1
    assert "user name must be" in capsys.readouterr().err


def test_user_list_and_remove(configured, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    main(["--config", str(configured), "thinknx", "user", "add", "dave", "--password-stdin"])
    capsys.readouterr()
    assert main(["--config", str(configured), "thinknx", "user", "list"]) == 0
    assert capsys.readouterr().out == "dave\n"
    assert main(["--config", str(configured), "thinknx", "user", "remove", "dave"]) == 0
    assert main(["--config", str(configured), "thinknx", "user", "remove", "dave"]) == 1
    assert rows(configured) == []


def test_devices_check_lists_the_problems_and_fails(configured, tmp_path, capsys):
    bad = tmp_path / "devices.toml"
    bad.write_text('[[devices]]\nguid = "x"\ntype = "lamp"\n')
    assert main(["--config", str(configured), "thinknx", "devices", "check", str(bad)]) == 1
    assert f'{bad}:1: device 1 (guid "x"): type: must be one of' in capsys.readouterr().err


def test_devices_check_accepts_the_docs_example(configured, capsys):
    example = Path(__file__).resolve().parents[2] / "docs" / "knx-devices.example.toml"
    assert main(["--config", str(configured), "thinknx", "devices", "check", str(example)]) == 0
    assert capsys.readouterr().out.startswith(f"{example}: ok (8 devices")


def test_config_is_accepted_after_the_thinknx_subcommand(configured, capsys):
    assert main(["thinknx", "user", "list", "--config", str(configured)]) == 0
    assert (configured.parent / "state" / "gateway.db").exists()


def test_thinknx_without_a_subcommand_prints_usage(configured, capsys):
    assert main(["--config", str(configured), "thinknx"]) == 2
    assert "usage:" in capsys.readouterr().err
