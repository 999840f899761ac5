"""The store: migrations, SQLite durability settings, integrity check, crash safety."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gateway.store import Store, StoreError
from gateway.store.db import (
    current_revision,
    head_revisions,
    make_sync_engine,
    prepare_database,
    upgrade_database,
)
from gateway.store.schema import Base


def test_migrations_have_exactly_one_head():
    assert len(head_revisions()) == 1


def test_migrations_upgrade_an_empty_database_to_head(database_url):
    upgrade_database(database_url)
    assert current_revision(database_url) == head_revisions()[0]


def test_models_match_the_migrations(database_url):
    upgrade_database(database_url)
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(database_url):
    from alembic import command

    from gateway.store.db import _alembic_config

    upgrade_database(database_url)
    command.downgrade(_alembic_config(database_url), "base")
    assert current_revision(database_url) is None
    upgrade_database(database_url)
    assert current_revision(database_url) == head_revisions()[0]


async def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(sqlite_url):
    from sqlalchemy import text

    store = await Store.open(sqlite_url)
    try:
        async with store.engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
            sync = (await conn.execute(text("PRAGMA synchronous"))).scalar()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
    finally:
        await store.close()
    assert mode == "wal"
    assert sync == 2  # FULL
    assert fks == 1


async def test_a_corrupt_sqlite_file_stops_start_up_with_a_clear_error(tmp_path, caplog):
    path = tmp_path / "gateway.db"
    url = f"sqlite:///{path}"
    store = await Store.open(url)
    await store.config.load()
    await store.close()
    data = bytearray(path.read_bytes())
    # Trash the pages after the header: the file is still "a database", its content is not.
    for i in range(200, min(len(data), 8000)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    with pytest.raises(StoreError) as exc:
        await prepare_database(url)
    assert "integrity" in str(exc.value) or "cannot open" in str(exc.value)
    assert any("integrity check failed" in r.getMessage() for r in caplog.records)


def test_unsupported_database_url_is_refused_naming_the_setting():
    with pytest.raises(StoreError, match=r"store\.url"):
        make_sync_engine("mysql://u@h/db")


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from gateway.store import Store
    from gateway.store.apikeys_repo import StoredApiKey
    from gateway.clock import utcnow

    async def main(url):
        store = await Store.open(url)
        i = 0
        while True:
            now = utcnow()
            await store.api_keys.add(StoredApiKey(f"{i:064x}", f"client{i}", now, now))
            print(i, flush=True)   # acknowledged only after the commit returned
            i += 1

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_acknowledged_writes_survive_kill_9_mid_write(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    acknowledged = -1
    assert proc.stdout is not None
    while acknowledged < 150:
        line = await asyncio.to_thread(proc.stdout.readline)
        assert line, "writer died"
        acknowledged = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # Whatever the writer printed after our last read was acknowledged too.
    rest = proc.stdout.read().split()
    if rest:
        acknowledged = int(rest[-1])
    conn = sqlite3.connect(tmp_path / "gateway.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("SELECT devicetype FROM api_keys")}
    missing = [i for i in range(acknowledged + 1) if f"client{i}" not in stored]
    assert missing == []
