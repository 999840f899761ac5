"""Typed checks for request body values, each failing with deCONZ error 7.

Why strict: JSON ``true`` is an int in Python, ``20.5`` is not a channel, and a value that
slips through here reaches the radio. Each helper returns the value in its proper type
or raises :func:`gateway.api.errors.invalid_value` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from gateway.api import errors


def as_bool(value: Any, address: str, name: str) -> bool:
    if not isinstance(value, bool):
        raise errors.invalid_value(address, name, value)
    return value


def as_int(value: Any, address: str, name: str, lo: int, hi: int) -> int:
    """An integer in ``lo..hi``; integral floats (``20.0``) are accepted as Hue does."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise errors.invalid_value(address, name, value)
    if isinstance(value, float) and not value.is_integer():
        raise errors.invalid_value(address, name, value)
    number = int(value)
    if not lo <= number <= hi:
        raise errors.invalid_value(address, name, value)
    return number


def as_choice(value: Any, address: str, name: str, choices: Collection[Any]) -> Any:
    if isinstance(value, bool) or value not in choices:
        raise errors.invalid_value(address, name, value)
    return value


def as_str(value: Any, address: str, name: str, lo: int = 0, hi: int = 1 << 16) -> str:
    if not isinstance(value, str) or not lo <= len(value) <= hi:
        raise errors.invalid_value(address, name, value)
    return value
