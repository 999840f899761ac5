"""Structured, one-line-per-event logging without secrets.

Why a formatter of our own: journald keeps one line per record, and operators grep it.
``key=value`` pairs keep each event on one line and machine-readable; :func:`redact` is the
one place that turns a secret (API key, password) into something safe to log.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import TextIO

# syslog priorities of the Python levels, for journald's ``SyslogLevelPrefix=`` ("<4>...").
SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


def redact(secret: str | None) -> str:
    """Show only the first four characters of a secret, as the design requires."""
    if not secret:
        return "<none>"
    return secret[:4] + "…"


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=... logger=... msg="..."`` with the message kept on one line."""

    converter = staticmethod(time.gmtime)  # timestamps in UTC, like every API time

    def __init__(self, *, journal: bool = False) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\n", "\\n")
        ts = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        line = f'ts={ts}Z level={record.levelname} logger={record.name} msg="{message}"'
        if record.exc_info:
            exc = self.formatException(record.exc_info).replace("\n", "\\n")
            line += f' exc="{exc}"'
        if self.journal:
            # journald reads "<N>" at the start of a line as its priority and strips it, so
            # `journalctl -p warning` finds our warnings (otherwise every line is "info").
            priority = SYSLOG_PRIORITY.get(record.levelno, 3 if record.levelno > 40 else 7)
            line = f"<{priority}>{line}"
        return line


def stderr_is_the_journal(
    stream: TextIO | None = None, environ: dict[str, str] | None = None
) -> bool:
    """True when systemd connected our stderr to journald (``JOURNAL_STREAM`` = its dev:inode).

    Checking the device and inode, not just the variable, keeps a child whose stderr was
    redirected to a file or a pipe from writing ``<N>`` prefixes into it.
    """
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    device, sep, inode = value.partition(":")
    if not sep or not device.isdigit() or not inode.isdigit():
        return False
    try:
        info = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError):
        return False
    return (info.st_dev, info.st_ino) == (int(device), int(inode))


def configure_logging(level: str = "INFO") -> None:
    """Send all logs to stderr (journald under systemd) in key=value form."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter(journal=stderr_is_the_journal()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter at INFO is noise on a Pi; our own modules follow the chosen level.
    for noisy in ("zigpy", "zigpy_znp", "zigpy_deconz", "xknx", "uvicorn", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))


class RepeatedWarning:
    """A warning that repeats (a stick that stays missing) logged at a slowing rate.

    Why: with no stick plugged in, a retry every 10 s would write ~8,600 identical lines a
    day to an SD card. The first occurrence is a WARNING; repeats of the same message are
    WARNINGs again only on the 2nd, 4th, 8th, ... time (saying how many there were), and
    DEBUG otherwise. A different message, or :meth:`clear` after success, starts over.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._message: str | None = None
        self._count = 0

    def warn(self, message: str) -> None:
        if message != self._message:
            self._message, self._count = message, 0
        self._count += 1
        if self._count & (self._count - 1) == 0:  # 1, 2, 4, 8, ...
            suffix = (
                ""
                if self._count == 1
                else f" ({self._count} times so far; next at {2 * self._count})"
            )
            self._logger.warning("%s%s", message, suffix)
        else:
            self._logger.debug("%s (%d times so far)", message, self._count)

    def clear(self) -> None:
        self._message, self._count = None, 0
