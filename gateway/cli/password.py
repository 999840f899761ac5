"""``gateway password set|reset``: the admin password, from the gateway itself.

Why on the command line: a person with a shell on the Pi has the device at hand, which is
what deCONZ's "reset within 10 minutes of start" tries to prove over HTTP. Both commands
write the database directly (run them as root or as the service user); the running
service reads its configuration at start, so they say to restart it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from gateway.cli.common import EXIT_RUNTIME, load
from gateway.settings import Settings

MIN_LENGTH = 8
RESTART_HINT = "it takes effect when the gateway restarts: systemctl restart gateway"


def _read_new_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("new admin password: ")
        if getpass.getpass("again: ") != password:
            print("gateway: the passwords differ", file=sys.stderr)
            return None
    if len(password) < MIN_LENGTH:
        print(f"gateway: the password needs at least {MIN_LENGTH} characters", file=sys.stderr)
        return None
    return password


async def _change(settings: Settings, password: str | None) -> str:
    """Set ``password`` (None: a new random one); returns the password now in force."""
    from gateway import security
    from gateway.app.admin_password import PasswordFile
    from gateway.domain.config import GatewayConfigService
    from gateway.store import Store

    store = await Store.open(settings.database_url)
    try:
        announcer = PasswordFile(settings.gateway.state_dir)
        config = GatewayConfigService(store, announce_password=announcer)
        await config.load()
        chosen = password or security.generate_password()
        await config.set_password(chosen)
        if password is None:
            await announcer(chosen)  # the new random password goes where the first one did
        return chosen
    finally:
        await store.close()


def cmd_password_set(args: argparse.Namespace) -> int:
    password = _read_new_password(args)
    if password is None:
        return EXIT_RUNTIME
    asyncio.run(_change(load(args), password))
    print(f"admin password changed; {RESTART_HINT}")
    return 0


def cmd_password_reset(args: argparse.Namespace) -> int:
    settings = load(args)
    password = asyncio.run(_change(settings, None))
    print(f"new admin password for user delight: {password}")
    print(f"(also in {settings.gateway.state_dir}/initial-admin-password); {RESTART_HINT}")
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("password", help="the admin password (on the gateway itself)")
    commands = parser.add_subparsers(dest="password_command", required=True)
    set_ = commands.add_parser("set", parents=[common], help="choose a new admin password")
    set_.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    set_.set_defaults(func=cmd_password_set)
    commands.add_parser(
        "reset", parents=[common], help="make a new random admin password and show it"
    ).set_defaults(func=cmd_password_reset)
