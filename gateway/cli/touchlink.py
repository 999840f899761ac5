"""``gateway touchlink scan | list | identify ID | reset ID``: touchlink from a shell.

Why over HTTP: the radio belongs to the running gateway (only one process may talk to the
stick), so the command is a client of its deCONZ API, like any app. It needs an API key:
``--apikey`` (or ``GATEWAY_APIKEY``), or else it creates one for the duration of the
command with the admin credentials (``--user``, password asked for or read from stdin
with ``--password-stdin``) and deletes it again at the end. The gateway's address comes
from ``--url`` or, by default, from the settings (``http.port`` on this machine).

Plain ``urllib`` and a hand-drawn progress bar keep the command free of extra packages;
a command line tool may block, so no event loop is involved.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
BUSY = 951
POLL_INTERVAL = 0.25
# What a scan takes with the gateway's default timings (20 windows of 0.25 s, 3 s to
# settle, radio round trips); the bar is an estimate and waits at 99 % for the real end.
EXPECTED_SCAN_SECONDS = 9.0
BAR_WIDTH = 30


class TouchlinkCliError(Exception):
    """A failure to tell the user in one line (exit 1)."""


@dataclass
class ApiFailure(Exception):
    """The gateway answered with a deCONZ error list."""

    status: int
    type: int
    description: str

    def __str__(self) -> str:
        return f"{self.description} (error {self.type}, HTTP {self.status})"


def register(sub: Any, common: argparse.ArgumentParser | None = None) -> None:
    """Add the ``touchlink`` command to the ``gateway`` command's subparsers."""
    parents = [common] if common is not None else []
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument("--url", help="the gateway's API (default: from the settings)")
    connection.add_argument(
        "--apikey", default=os.environ.get("GATEWAY_APIKEY"), help="API key (or GATEWAY_APIKEY)"
    )
    connection.add_argument("--user", default="delight", help="admin user to create a key")
    connection.add_argument(
        "--password-stdin", action="store_true", help="read the admin password from stdin"
    )
    connection.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for a scan (default 60)"
    )
    touchlink = sub.add_parser("touchlink", help="touchlink: find, identify, reset lights nearby")
    touchlink.set_defaults(func=lambda _args: _usage(touchlink))
    commands = touchlink.add_subparsers(dest="touchlink_command")
    both = [*parents, connection]
    commands.add_parser("scan", parents=both, help="scan all channels (about 10 s)").set_defaults(
        func=cmd_scan
    )
    commands.add_parser("list", parents=both, help="show the last scan's results").set_defaults(
        func=cmd_list
    )
    for name, text in (("identify", "make a device blink"), ("reset", "reset to factory new")):
        command = commands.add_parser(name, parents=both, help=text)
        command.add_argument("id", help="the id from the scan results")
        command.set_defaults(func=cmd_identify if name == "identify" else cmd_reset)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


# -- commands --------------------------------------------------------------------------------


def cmd_scan(args: argparse.Namespace) -> int:
    def run(api: Api) -> int:
        api.call("POST", "/touchlink/scan")
        body = wait_for_scan(api, args.timeout, sys.stderr)
        print(results_table(body))
        return EXIT_OK

    return _with_api(args, run)


def cmd_list(args: argparse.Namespace) -> int:
    def run(api: Api) -> int:
        body = api.call("GET", "/touchlink/scan")
        if body.get("scanstate") == "scanning":
            print("a scan is running; showing what was found so far", file=sys.stderr)
        print(results_table(body))
        return EXIT_OK

    return _with_api(args, run)


def cmd_identify(args: argparse.Namespace) -> int:
    def run(api: Api) -> int:
        api.call_when_free("POST", f"/touchlink/{args.id}/identify", args.timeout)
        print(f"device {args.id} was asked to identify (it blinks for a few seconds)")
        return EXIT_OK

    return _with_api(args, run)


def cmd_reset(args: argparse.Namespace) -> int:
    def run(api: Api) -> int:
        api.call_when_free("POST", f"/touchlink/{args.id}/reset", args.timeout)
        print(f"device {args.id} was reset to factory new")
        return EXIT_OK

    return _with_api(args, run)


def _with_api(args: argparse.Namespace, run: Callable[[Api], int]) -> int:
    try:
        url = args.url or _default_url(args)
        with api_session(url, args) as api:
            return run(api)
    except (TouchlinkCliError, ApiFailure) as exc:
        print(f"gateway: touchlink: {exc}", file=sys.stderr)
        return EXIT_FAILED


# -- the HTTP client -----------------------------------------------------------------------------


class Api:
    """A deCONZ API client with one key (blocking; one request at a time)."""

    def __init__(self, url: str, key: str = "", timeout: float = 30.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise TouchlinkCliError(f"--url must start with http:// or https://, got {url!r}")
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        keyed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The JSON answer; ApiFailure for a deCONZ error, TouchlinkCliError if unreachable."""
        target = f"{self.url}/api/{self.key}{path}" if keyed else f"{self.url}{path}"
        data = None if body is None else json.dumps(body).encode()
        # The scheme is checked in __init__: only http(s) URLs get here.
        request = urllib.request.Request(  # noqa: S310
            target, data=data, method=method, headers=headers or {}
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError as exc:  # URLError, refused connections and timeouts
            reason = getattr(exc, "reason", exc)
            raise TouchlinkCliError(f"cannot reach the gateway at {self.url}: {reason}") from None
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            raise TouchlinkCliError(f"{target}: the answer is not JSON (HTTP {status})") from None
        error = _first_error(answer)
        if error is not None:
            raise ApiFailure(status, int(error.get("type", 0)), str(error.get("description", "")))
        if status >= 400:
            raise TouchlinkCliError(f"{method} {path}: HTTP {status}")
        return answer

    def call_when_free(self, method: str, path: str, patience: float) -> Any:
        """Like ``call``, but waits while the radio is busy (a scan or the settle after one)."""
        deadline = time.monotonic() + patience
        while True:
            try:
                return self.call(method, path)
            except ApiFailure as exc:
                if exc.type != BUSY or time.monotonic() > deadline:
                    raise
            time.sleep(POLL_INTERVAL)


def _first_error(answer: Any) -> dict[str, Any] | None:
    if isinstance(answer, list) and answer and isinstance(answer[0], dict):
        error = answer[0].get("error")
        if isinstance(error, dict):
            return error
    return None


@contextmanager
def api_session(url: str, args: argparse.Namespace) -> Iterator[Api]:
    """An Api with the given key, or with a key made from the admin credentials for the
    duration of the command (deleted again afterwards, so keys do not pile up)."""
    if args.apikey:
        yield Api(url, args.apikey)
        return
    password = _admin_password(args)
    auth = base64.b64encode(f"{args.user}:{password}".encode()).decode()
    api = Api(url)
    try:
        created = api.call(
            "POST",
            "/api",
            {"devicetype": f"gateway-cli#{socket.gethostname()[:19]}"},
            keyed=False,
            headers={"Authorization": f"Basic {auth}"},
        )
    except ApiFailure as exc:
        raise TouchlinkCliError(f"cannot create an API key as {args.user!r}: {exc}") from None
    api.key = str(created[0]["success"]["username"])
    try:
        yield api
    finally:
        try:
            api.call("DELETE", f"/config/whitelist/{api.key}")
        except (ApiFailure, TouchlinkCliError) as exc:
            print(f"gateway: touchlink: could not delete the temporary key: {exc}", file=sys.stderr)


def _admin_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(f"admin password for {args.user}: ")


def _default_url(args: argparse.Namespace) -> str:
    from gateway.settings import load_settings

    http = load_settings(args.config).http
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(http.host, http.host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{http.port}"


# -- scan progress and results ---------------------------------------------------------------------


def wait_for_scan(
    api: Api,
    timeout: float,
    out: TextIO,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll ``GET /touchlink/scan`` until idle, drawing a progress bar on a terminal."""
    start = clock()
    draw = out.isatty()
    while True:
        body: dict[str, Any] = api.call("GET", "/touchlink/scan")
        done = body.get("scanstate") != "scanning"
        if draw:
            fraction = 1.0 if done else (clock() - start) / EXPECTED_SCAN_SECONDS
            out.write("\r" + progress_line(fraction, len(body.get("result") or {}), done))
            out.flush()
        if done:
            if draw:
                out.write("\n")
            return body
        if clock() - start > timeout:
            raise TouchlinkCliError(f"the scan did not finish within {timeout:g} s")
        sleep(POLL_INTERVAL)


def progress_line(fraction: float, found: int, done: bool = False) -> str:
    """``[#########.........]  45 %  scanning, 2 found``; 99 % at most until done."""
    fraction = 1.0 if done else min(max(fraction, 0.0), 0.99)
    filled = round(fraction * BAR_WIDTH)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    state = "done" if done else "scanning"
    return f"[{bar}] {round(fraction * 100):3d} %  {state}, {found} found"


def results_table(body: dict[str, Any]) -> str:
    """The results as an aligned table, ordered by id."""
    results = body.get("result") or {}
    if not results:
        return f"no touchlink devices found (last scan: {body.get('lastscan', 'none')})"
    header = ("ID", "ADDRESS", "CHANNEL", "PAN", "FACTORY NEW", "RSSI")
    rows = [header]
    for rid in sorted(results, key=lambda r: (len(r), r)):
        item = results[rid]
        rssi = item.get("rssi")
        rows.append(
            (
                str(rid),
                str(item.get("address", "")),
                str(item.get("channel", "")),
                f"0x{int(item.get('panid', 0)):04X}",
                "yes" if item.get("factorynew") else "no",
                "" if rssi is None else f"{rssi} dBm",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(f"{len(results)} device(s), last scan {body.get('lastscan', 'none')} UTC")
    return "\n".join(line.rstrip() for line in lines)
