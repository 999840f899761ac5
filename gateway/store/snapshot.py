"""A consistent copy of the SQLite database while the gateway runs, for backups.

Why SQLite's online backup API rather than copying the file: with WAL, the file alone may
miss acknowledged changes still in ``-wal``; the backup API copies a consistent snapshot
of the database as readers see it, without stopping writers for long.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from gateway.store.db import StoreError


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def snapshot_sqlite(url: str, destination: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``destination`` (blocking)."""
    source_path = sqlite_file(url)
    if source_path is None:
        raise StoreError("store.url: only a SQLite database can be backed up by the gateway")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
