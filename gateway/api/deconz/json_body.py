"""The one JSON body reader of the deCONZ API: text the store and the radio can take.

Why stricter than :func:`json.loads`: JSON allows ``"\\ud800"`` (an unpaired surrogate,
which no UTF-8 database or client can store or print) and ``"\\u0000"`` (which SQLite keeps
and PostgreSQL refuses), ``NaN`` and ``Infinity`` (not JSON at all), numbers of thousands of
digits (beyond Python's int-string limit) and nesting deep enough to exhaust the parser's
recursion. Each of those used to reach a handler and end as a 500 from the database or a
stored NUL. Here they are all "body contains invalid JSON" (error 2), before any handler
sees the body, so nothing is stored.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MAX_BODY_BYTES: Final = 64 * 1024
MAX_DEPTH: Final = 32
"""Deeper than any deCONZ body (the deepest, a rule's actions, is 4 levels)."""

_BAD_TEXT: Final = re.compile("[\x00\ud800-\udfff]")


class InvalidBody(ValueError):
    """The body is not a JSON text the API accepts; the message says why (for logs)."""


def _refuse_constant(name: str) -> Any:
    raise InvalidBody(f"{name} is not JSON")


def _check_text(text: str) -> None:
    if _BAD_TEXT.search(text):
        raise InvalidBody("a string holds NUL or an unpaired surrogate")


def check_values(value: Any) -> None:
    """Walk ``value`` (iteratively: depth is the attacker's choice) checking every string."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidBody(f"nested deeper than {MAX_DEPTH}")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def parse_json(raw: bytes) -> Any:
    """The decoded body (None when empty); :class:`InvalidBody` for anything we refuse."""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidBody(f"body over {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant)
    except InvalidBody:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, int limit
        raise InvalidBody(f"not JSON ({type(exc).__name__})") from None
    check_values(value)
    return value
