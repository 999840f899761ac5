"""The ``gateway`` command: run the service, migrate the database, drive touchlink.

Every failure a person can fix (bad setting, corrupt database, busy port) ends with one
line on stderr naming the cause and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway import __version__
from gateway.knx.thinknx_cli import register as register_thinknx
from gateway.logsetup import configure_logging
from gateway.settings import Settings, SettingsError, load_settings
from gateway.store import StoreError
from gateway.touchlink_cli import register as register_touchlink

EXIT_CONFIG = 2
EXIT_RUNTIME = 1


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def cmd_run(args: argparse.Namespace) -> int:
    from gateway.service import Gateway, StartupError

    settings = _settings(args)
    configure_logging(settings.gateway.log_level)
    try:
        asyncio.run(Gateway(settings).run())
    except (StoreError, StartupError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        pass
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from gateway.store.db import check_integrity, current_revision, upgrade_database

    settings = _settings(args)
    url = settings.database_url
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

    rev = current_revision(_settings(args).database_url)
    print(f"current: {rev or 'none (not migrated)'}; head: {', '.join(head_revisions())}")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    print(f"configuration ok (database: {settings.database_url.split('://', 1)[0]})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    config_help = "settings file (default /etc/gateway/gateway.toml)"
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gateway {__version__}")
    parser.add_argument("--config", type=Path, default=None, help=config_help)
    # --config is accepted after the subcommand too (`gateway run --config PATH`); SUPPRESS
    # keeps a value given before the subcommand from being overwritten by the default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", parents=[common], help="run the gateway (the default)").set_defaults(
        func=cmd_run
    )
    sub.add_parser(
        "check-config", parents=[common], help="validate the settings and exit"
    ).set_defaults(func=cmd_check_config)
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command")
    up = db.add_parser("upgrade", parents=[common], help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    db.add_parser("current", parents=[common], help="show the migration revision").set_defaults(
        func=cmd_db_current
    )
    register_thinknx(sub, common)
    register_touchlink(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        if args.command == "db":
            parser.error("db needs a subcommand: upgrade or current")
        func = cmd_run
    try:
        return int(func(args))
    except SettingsError as exc:
        print(f"gateway: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return EXIT_RUNTIME


if __name__ == "__main__":
    sys.exit(main())
