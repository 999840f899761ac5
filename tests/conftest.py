"""Fixtures shared by the whole suite: databases (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import postgres

_db_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.PostgresCluster]:
    reason = postgres.unavailable_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests skipped: {reason} (make test installs it when it may)")
    cluster = postgres.PostgresCluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gateway.db'}"
    cluster: postgres.PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"gw_test_{next(_db_counter)}")
