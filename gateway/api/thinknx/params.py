"""Request parameters: the query string and, for POST, a form-urlencoded body.

Why our own parsing rather than ``request.query_params``: the spec's own examples are loose
(``guid=...&&cmd=50&fb``: empty pairs, a flag without ``=``) and a client may repeat a name;
we accept the first two and refuse the third, because ``cmd=1&cmd=0`` has no safe meaning
on a bus. Numbers are plain decimals with '.' as the spec says ("85.325", "-3", "20.5"):
no exponents, no "inf"/"nan", no spaces, no digits from other scripts, at most 32
characters. Anything else is a :class:`ParamsParseError`, which the API answers with
``params errors``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

MAX_FIELDS: Final = 32
"""More pairs than any Thinknx call needs (guid, cmd, fb, auth, user, pass, cache busters)."""
MAX_BODY_BYTES: Final = 8192
MAX_NUMBER_LENGTH: Final = 32
MAX_VALUE_LENGTH: Final = 1024
"""Longer than any GUID, group address or password (256); a longer value is an error before
anything parses it (a group address of 4,301 digits hit Python's int-string limit: a 500)."""
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

Number = int | float


class ParamsParseError(ValueError):
    """The parameters cannot be read (bad encoding, too many, repeated, not a number)."""


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Name/value pairs of an urlencoded string; empty pairs are skipped, ``fb`` gives ``""``."""
    try:
        text = raw.decode("utf-8")
        pairs = urllib.parse.parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise ParamsParseError(f"unreadable parameters ({exc})") from None
    if any(len(name) > MAX_VALUE_LENGTH or len(value) > MAX_VALUE_LENGTH for name, value in pairs):
        raise ParamsParseError(f"a parameter is longer than {MAX_VALUE_LENGTH} characters")
    return [(name, value) for name, value in pairs if name]


def parse_number(text: str) -> Number:
    """An int for "12", a float for "12.5" / "12." / ".5"; :class:`ParamsParseError` otherwise."""
    if len(text) > MAX_NUMBER_LENGTH or not _NUMBER.fullmatch(text):
        raise ParamsParseError(f"not a number: {text[:MAX_NUMBER_LENGTH]!r}")
    if "." in text:
        return float(text)
    return int(text)


@dataclass(frozen=True)
class Params:
    """The parameters of one request, by name (names are case-sensitive, as in the spec)."""

    values: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_pairs(cls, *sources: Iterable[tuple[str, str]]) -> Params:
        merged: dict[str, list[str]] = {}
        for pairs in sources:
            for name, value in pairs:
                merged.setdefault(name, []).append(value)
        return cls({name: tuple(values) for name, values in merged.items()})

    def has(self, name: str) -> bool:
        """True when ``name`` is present at all (``fb``, ``fb=``, ``fb=0`` alike)."""
        return name in self.values

    def get(self, name: str) -> str | None:
        """The one value of ``name``, None when absent; repeated names are an error."""
        values = self.values.get(name)
        if values is None:
            return None
        if len(values) != 1:
            raise ParamsParseError(f"{name} given {len(values)} times")
        return values[0]

    def text(self, name: str) -> str:
        """A required, non-empty value."""
        value = self.get(name)
        if not value:
            raise ParamsParseError(f"{name} is required")
        return value

    def number(self, name: str) -> Number:
        """A required number."""
        return parse_number(self.text(name))

    def optional_number(self, name: str) -> Number | None:
        """A number if ``name`` is present (an empty value is an error), else None."""
        value = self.get(name)
        return None if value is None else parse_number(value)
