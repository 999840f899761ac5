"""PostgreSQL support is the optional ``postgres`` extra (psycopg has no armhf wheel).

A SQLite-only install (the .deb for armhf, a Pi image) has no psycopg at all; it must still
open SQLite, and a postgresql:// URL must fail with a message that names the missing extra
instead of SQLAlchemy's bare ``No module named 'psycopg'``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from gateway.store.db import StoreError, make_async_engine, make_sync_engine

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def project() -> dict[str, object]:
    data = tomllib.loads(PYPROJECT.read_text())
    return dict(data["project"])


def names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {Requirement(r).name.lower() for r in requirements}


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import psycopg`` fail as it does where the extra is not installed."""
    monkeypatch.setitem(sys.modules, "psycopg", None)


def test_runtime_dependencies_do_not_include_psycopg() -> None:
    runtime = names(project()["dependencies"])
    assert not {n for n in runtime if n.startswith("psycopg")}


def test_postgres_extra_brings_psycopg_binary() -> None:
    extras = project()["optional-dependencies"]
    assert isinstance(extras, dict)
    (requirement,) = [Requirement(r) for r in extras["postgres"]]
    assert requirement.name == "psycopg"
    assert "binary" in requirement.extras


def test_test_extra_installs_the_postgres_extra() -> None:
    extras = project()["optional-dependencies"]
    assert isinstance(extras, dict)
    test_requirements = [Requirement(r) for r in extras["test"]]
    assert any(r.name == "gateway" and "postgres" in r.extras for r in test_requirements)


@pytest.mark.usefixtures("no_psycopg")
@pytest.mark.parametrize("make_engine", [make_sync_engine, make_async_engine])
def test_postgresql_url_without_the_extra_names_the_extra(make_engine: object) -> None:
    assert callable(make_engine)
    with pytest.raises(StoreError) as caught:
        make_engine("postgresql://gateway:secret@db.example/gateway")
    message = str(caught.value)
    assert "gateway[postgres]" in message
    assert message.startswith("store.url:")
    assert "secret" not in message


@pytest.mark.usefixtures("no_psycopg")
def test_sqlite_works_without_the_extra(tmp_path: Path) -> None:
    engine = make_sync_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    finally:
        engine.dispose()
    assert mode == "wal"


def test_postgresql_url_with_the_extra_builds_an_engine() -> None:
    pytest.importorskip("psycopg", reason="psycopg (the postgres extra) is not installed")
    engine = make_sync_engine("postgresql://gateway@db.example/gateway")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
    finally:
        engine.dispose()
