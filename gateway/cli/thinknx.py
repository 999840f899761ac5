"""``gateway thinknx ...``: manage Thinknx API users and check a device catalogue.

Users live in the gateway's store; the running gateway looks them up per request, so a user
added here can call the API at once, without a restart. Passwords are read with ``getpass``
(twice) or, for scripts, from the first line of stdin with ``--password-stdin``; they never
appear in the process list or the logs.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any

from gateway.settings import Settings, load_settings


def register(sub: Any, common: argparse.ArgumentParser | None = None) -> None:
    """Add the ``thinknx`` command to the ``gateway`` command's subparsers.

    ``common`` holds the options every leaf command accepts after its name (``--config``).
    """
    parents = [common] if common is not None else []
    thinknx = sub.add_parser("thinknx", help="Thinknx API users and device catalogue")
    thinknx.set_defaults(func=lambda _args: _usage(thinknx))
    commands = thinknx.add_subparsers(dest="thinknx_command")

    user = commands.add_parser("user", help="API users")
    user.set_defaults(func=lambda _args: _usage(user))
    users = user.add_subparsers(dest="user_command")
    add = users.add_parser("add", parents=parents, help="add a user, or set its password")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=cmd_user_add)
    remove = users.add_parser("remove", parents=parents, help="remove a user")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_user_remove)
    listing = users.add_parser("list", parents=parents, help="list the users")
    listing.set_defaults(func=cmd_user_list)

    devices = commands.add_parser("devices", help="the device catalogue")
    devices.set_defaults(func=lambda _args: _usage(devices))
    checks = devices.add_subparsers(dest="devices_command")
    check = checks.add_parser(
        "check", parents=parents, help="validate a catalogue file (default: the configured)"
    )
    check.add_argument("file", nargs="?", type=Path)
    check.set_defaults(func=cmd_devices_check)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        print("gateway: the passwords differ", file=sys.stderr)
        return None
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from gateway.knx.users import UserError, check_name, check_password

    settings = _settings(args)
    try:
        check_name(args.name)
        password = _read_password(args)
        if password is None:
            return 1
        check_password(password)
    except UserError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1
    created = asyncio.run(_with_users(settings, lambda users: users.add(args.name, password)))
    print(f"user {args.name} {'added' if created else 'updated'}")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    removed = asyncio.run(_with_users(_settings(args), lambda users: users.remove(args.name)))
    if not removed:
        print(f"gateway: no user {args.name}", file=sys.stderr)
        return 1
    print(f"user {args.name} removed")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    for name in asyncio.run(_with_users(_settings(args), lambda users: users.names())):
        print(name)
    return 0


async def _with_users(settings: Settings, action: Any) -> Any:
    from gateway.knx.users import ThinknxUsers
    from gateway.store import Store

    store = await Store.open(settings.database_url)
    try:
        return await action(ThinknxUsers(store.knx))
    finally:
        await store.close()


def cmd_devices_check(args: argparse.Namespace) -> int:
    from gateway.knx.bindings_file import load_bindings
    from gateway.knx.catalogue import CatalogueError
    from gateway.knx.catalogue_file import load_file

    path = args.file or _settings(args).thinknx.devices_file
    if path is None:
        print("gateway: no file given and thinknx.devices_file is not set", file=sys.stderr)
        return 2
    try:
        devices, _sha = load_file(path)
        bindings = load_bindings(path)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    controllers = sum(len(d.controllers) for d in devices)
    print(
        f"{path}: ok ({len(devices)} devices, {controllers} controllers, {len(bindings)} bindings)"
    )
    return 0
