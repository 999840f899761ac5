"""The ``gateway`` command: run the service, migrate the database, drive touchlink and Thinknx.

One module per command group (``run``, ``db``, ``touchlink``, ``thinknx``); this one only
assembles the parser. Every failure a person can fix (bad setting, corrupt database, busy
port) ends with one line on stderr naming the cause and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway import __version__
from gateway.cli import db, password, run, thinknx, touchlink
from gateway.cli.common import EXIT_CONFIG, EXIT_RUNTIME
from gateway.cli.run import cmd_run
from gateway.settings import SettingsError
from gateway.store import StoreError

__all__ = ["EXIT_CONFIG", "EXIT_RUNTIME", "build_parser", "cmd_run", "main"]


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
    run.register(sub, common)
    db.register(sub, common)
    password.register(sub, common)
    thinknx.register(sub, common)
    touchlink.register(sub, common)
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
    except PermissionError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(
            f"gateway: permission denied{where} (run it as root or as the service user: "
            "runuser -u gateway -- gateway ...)",
            file=sys.stderr,
        )
        return EXIT_RUNTIME


if __name__ == "__main__":
    sys.exit(main())
