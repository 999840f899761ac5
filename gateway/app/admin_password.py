"""Where a generated admin password goes: once to the person, never into a log.

Why a file: the gateway runs as a service; its console is the journal, and a secret in
the journal is a secret on the SD card for ever. The password is written to
``<state_dir>/initial-admin-password`` (mode 0600, owned by the service user; root reads
it with ``cat``), a log line says where it is, and when stderr is a terminal (``make
run``, ``gateway run`` by hand) it is also printed there. The file goes away as soon as
the person sets a password of their own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from gateway.domain.config import DEFAULT_ADMIN_USER

log = logging.getLogger(__name__)

PASSWORD_FILE = "initial-admin-password"  # noqa: S105 - a file name


class PasswordFile:
    """Announces generated admin passwords (a :data:`PasswordAnnouncer`)."""

    def __init__(self, state_dir: Path, console: TextIO | None = None) -> None:
        self.path = state_dir / PASSWORD_FILE
        self._console = console if console is not None else sys.stderr

    async def __call__(self, password: str | None) -> None:
        if password is None:
            await asyncio.to_thread(self._remove)
            return
        await asyncio.to_thread(self._write, password)
        log.warning(
            "event=admin_password_generated user=%s file=%s: sign in with the password in "
            "that file (readable by root), then change it on the page or with "
            "'gateway password set'",
            DEFAULT_ADMIN_USER,
            self.path,
        )
        if self._console.isatty():
            print(
                f"\n  Admin sign-in for this gateway: user {DEFAULT_ADMIN_USER}, "
                f"password {password}\n  (also in {self.path})\n",
                file=self._console,
                flush=True,
            )

    def _write(self, password: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{password}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def _remove(self) -> None:
        self.path.unlink(missing_ok=True)


def read_password_file(state_dir: Path) -> str:
    """The generated password (tests and the CLI read it back)."""
    return (state_dir / PASSWORD_FILE).read_text().strip()
