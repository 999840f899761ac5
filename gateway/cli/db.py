"""``gateway db upgrade|current``: database maintenance without starting the service."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gateway.cli.common import load
from gateway.store import StoreError


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from gateway.store.db import check_integrity, current_revision, upgrade_database

    url = load(args).database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    problem = check_integrity(url)
    if problem:
        raise StoreError(f"database integrity check failed: {problem}")
    upgrade_database(url, args.revision)
    print(f"database at revision {current_revision(url)}")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from gateway.store.db import current_revision, head_revisions

    rev = current_revision(load(args).database_url)
    print(f"current: {rev or 'none (not migrated)'}; head: {', '.join(head_revisions())}")
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Adds ``db`` and returns its parser (``main`` names the missing subcommand)."""
    parser: argparse.ArgumentParser = sub.add_parser("db", help="database maintenance")
    db = parser.add_subparsers(dest="db_command")
    up = db.add_parser("upgrade", parents=[common], help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    db.add_parser("current", parents=[common], help="show the migration revision").set_defaults(
        func=cmd_db_current
    )
    return parser
