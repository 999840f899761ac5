"""Wall-clock time as every layer shows it: aware UTC, whole seconds.

Why a module of its own: the store stamps rows with it, the domain stamps events and
``lastscan`` with it and the API renders it; keeping it below all of them means none of
those layers has to import another just to read the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, without fractional seconds (the APIs show whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0)
