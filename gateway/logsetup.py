"""Structured, one-line-per-event logging without secrets.

Why a formatter of our own: journald keeps one line per record, and operators grep it.
``key=value`` pairs keep each event on one line and machine-readable; :func:`redact` is the
one place that turns a secret (API key, password) into something safe to log.
"""

from __future__ import annotations

import logging
import sys
import time


def redact(secret: str | None) -> str:
    """Show only the first four characters of a secret, as the design requires."""
    if not secret:
        return "<none>"
    return secret[:4] + "…"


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=... logger=... msg="..."`` with the message kept on one line."""

    converter = staticmethod(time.gmtime)  # timestamps in UTC, like every API time

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\n", "\\n")
        ts = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        line = f'ts={ts}Z level={record.levelname} logger={record.name} msg="{message}"'
        if record.exc_info:
            exc = self.formatException(record.exc_info).replace("\n", "\\n")
            line += f' exc="{exc}"'
        return line


def configure_logging(level: str = "INFO") -> None:
    """Send all logs to stderr (journald under systemd) in key=value form."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter at INFO is noise on a Pi; our own modules follow the chosen level.
    for noisy in ("zigpy", "zigpy_znp", "zigpy_deconz", "xknx", "uvicorn", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
