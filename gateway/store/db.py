"""Engine creation, SQLite durability settings, integrity check and migrations.

Why these SQLite settings: the gateway runs on an SD card and loses power without warning.
WAL mode keeps readers (the REST API) off the writer's back; ``synchronous=FULL`` makes a
commit wait for the WAL to reach the disk, so anything we acknowledged survives a power
cut. Foreign keys are off by default in SQLite and we rely on them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The database cannot be used (bad URL, corrupt file, failed migration)."""


def _urls(url: str) -> tuple[URL, URL]:
    """The (sync, async) driver URLs for one configured URL."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StoreError(f"store.url: not a database URL ({exc})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite"), parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        _require_postgres_driver()
        return (
            parsed.set(drivername="postgresql+psycopg"),
            parsed.set(drivername="postgresql+psycopg_async"),
        )
    raise StoreError(f"store.url: unsupported database {backend!r} (use sqlite or postgresql)")


def _require_postgres_driver() -> None:
    """Fail with the fix in the message when the optional PostgreSQL driver is absent.

    psycopg is the ``postgres`` extra, not a hard dependency (no armhf wheel on PyPI, and
    SQLite installs do not need it); without this check the user would get SQLAlchemy's
    bare ``No module named 'psycopg'`` from deep inside engine creation.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise StoreError(
            "store.url: PostgreSQL needs the optional 'postgres' extra, which is not "
            f"installed ({exc}); install it with: pip install 'gateway[postgres]', "
            "or use SQLite (leave store.url unset)"
        ) from None


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _prepare_sqlite_path(url: URL) -> None:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def make_sync_engine(url: str) -> Engine:
    """A blocking engine, for migrations and tools that run outside the event loop."""
    sync_url, _ = _urls(url)
    if sync_url.get_backend_name() == "sqlite":
        _prepare_sqlite_path(sync_url)
    engine = create_engine(sync_url)
    if sync_url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def make_async_engine(url: str) -> AsyncEngine:
    """The engine the running gateway uses."""
    _, async_url = _urls(url)
    if async_url.get_backend_name() == "sqlite":
        _prepare_sqlite_path(async_url)
    engine = create_async_engine(async_url, pool_pre_ping=True)
    if async_url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def migrations_dir() -> Path:
    """Where the Alembic scripts are; they ship as the ``migrations`` package."""
    return Path(str(resources.files("migrations")))


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["gateway_url"] = url
    return cfg


def upgrade_database(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (blocking; call through a thread from async code)."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(url), revision)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"migration to {revision} failed: {exc}") from exc


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None if it was never migrated (or is absent).

    Only reads: an SQLite file that does not exist is not created (``gateway db current``
    must not leave a database behind where it only looked).
    """
    from alembic.runtime.migration import MigrationContext

    sync_url, _ = _urls(url)
    if sync_url.get_backend_name() == "sqlite" and sync_url.database not in (None, "", ":memory:"):
        path = Path(sync_url.database)
        if not path.exists():
            return None
        if not os.access(path, os.R_OK):
            raise PermissionError(13, "Permission denied", str(path))
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revisions() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(_alembic_config("sqlite://")).get_heads())


def check_integrity(url: str) -> str | None:
    """Run SQLite's integrity check; return a problem description or None if healthy.

    PostgreSQL guards its own integrity, so only SQLite is checked.
    """
    sync_url, _ = _urls(url)
    if sync_url.get_backend_name() != "sqlite" or not sync_url.database:
        return None
    if sync_url.database != ":memory:" and not Path(sync_url.database).exists():
        return None
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check")).fetchall()]
    except Exception as exc:
        return f"cannot open database: {exc}"
    finally:
        engine.dispose()
    if rows == ["ok"]:
        return None
    return "; ".join(str(r) for r in rows[:5])


async def prepare_database(url: str) -> None:
    """Integrity check then migrations, off the event loop; fail fast with a clear error."""
    problem = await asyncio.to_thread(check_integrity, url)
    if problem is not None:
        log.error("database integrity check failed: %s", problem)
        raise StoreError(f"database integrity check failed: {problem}")
    await asyncio.to_thread(upgrade_database, url)
    log.info("database ready at revision %s", ",".join(head_revisions()))
