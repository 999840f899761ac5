"""``gateway run`` and ``gateway check-config``: the service itself, and its settings check."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from gateway.cli.common import EXIT_RUNTIME, load
from gateway.logsetup import configure_logging
from gateway.store import StoreError


def cmd_run(args: argparse.Namespace) -> int:
    # the whole service, loaded only to run it
    from gateway.app import Gateway, StartupError, event_loop_factory

    settings = load(args)
    configure_logging(settings.gateway.log_level)
    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            runner.run(Gateway(settings).run())
    except (StoreError, StartupError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        pass
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = load(args)
    print(f"configuration ok (database: {settings.database_url.split('://', 1)[0]})")
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser("run", parents=[common], help="run the gateway (the default)").set_defaults(
        func=cmd_run
    )
    sub.add_parser(
        "check-config", parents=[common], help="validate the settings and exit"
    ).set_defaults(func=cmd_check_config)
