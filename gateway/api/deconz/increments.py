"""Hue v1 relative changes: ``bri_inc``, ``sat_inc``, ``hue_inc``, ``ct_inc``, ``xy_inc``.

Why resolved in the API layer before validation: a relative change becomes the absolute
value it leads to (from the light's, or the group's, current value), range-clamped as a Hue
bridge does, and from there on it is an ordinary ``bri`` / ``hue`` / ... parameter with
the usual rules (error 201 when off, command order, success items). The success item
names the parameter the client sent (``/lights/1/state/bri_inc``) with the resulting value.
As on a Hue bridge an absolute value in the same body wins over its ``_inc``.

Clamping: bri 1..254 (an increment never switches a lamp off), sat 0..254, hue wraps
around 0..65535, ct within the light's ctmin..ctmax (153..500 when unknown), x and y 0..1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.api import errors
from gateway.api.deconz import params
from gateway.domain.lights import colors

INCREMENTS = ("bri_inc", "sat_inc", "hue_inc", "ct_inc", "xy_inc")


def _xy_inc(value: Any, address: str, name: str) -> list[float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(-0.5 <= float(v) <= 0.5 for v in value)
    )
    if not ok:
        raise errors.invalid_value(address, name, value)
    return [float(value[0]), float(value[1])]


def _clamp(lo: float, hi: float, value: float) -> float:
    return min(hi, max(lo, value))


def resolve(
    body: dict[str, Any],
    current: dict[str, Any],
    base: str,
    *,
    ct_range: tuple[int | None, int | None] = (None, None),
) -> tuple[dict[str, Any], dict[str, str], list[errors.ApiError]]:
    """The body with each ``*_inc`` replaced by its absolute parameter.

    Returns the new body, a map absolute name -> the ``_inc`` name the client used (for the
    answer), and the problems found (error 7 for an increment out of range).
    """
    if not any(name in body for name in INCREMENTS):
        return body, {}, []
    out = {k: v for k, v in body.items() if k not in INCREMENTS}
    renamed: dict[str, str] = {}
    problems: list[errors.ApiError] = []
    ct_min = ct_range[0] or colors.CT_API_MIN
    ct_max = ct_range[1] or colors.CT_API_MAX
    rules: dict[str, tuple[str, Callable[[Any, str, str], Any], Callable[[Any, Any], Any]]] = {
        "bri_inc": (
            "bri",
            lambda v, a, n: params.as_int(v, a, n, -254, 254),
            lambda cur, inc: int(_clamp(1, 254, int(cur or 0) + inc)),
        ),
        "sat_inc": (
            "sat",
            lambda v, a, n: params.as_int(v, a, n, -254, 254),
            lambda cur, inc: int(_clamp(0, 254, int(cur or 0) + inc)),
        ),
        "hue_inc": (
            "hue",
            lambda v, a, n: params.as_int(v, a, n, -65534, 65534),
            lambda cur, inc: (int(cur or 0) + inc) % 65536,
        ),
        "ct_inc": (
            "ct",
            lambda v, a, n: params.as_int(v, a, n, -65534, 65534),
            lambda cur, inc: int(_clamp(ct_min, ct_max, int(cur or ct_min) + inc)),
        ),
        "xy_inc": (
            "xy",
            _xy_inc,
            lambda cur, inc: [
                round(_clamp(0.0, 1.0, float(c) + d), 4)
                for c, d in zip(cur or [0.3127, 0.329], inc, strict=True)
            ],
        ),
    }
    for name, (target, check, apply) in rules.items():
        if name not in body:
            continue
        try:
            increment = check(body[name], f"{base}/{name}", name)
        except errors.ApiError as exc:
            problems.append(exc)
            continue
        if target in body:
            continue  # the absolute value wins, as on a Hue bridge
        out[target] = apply(current.get(target), increment)
        renamed[target] = name
    return out, renamed, problems


def rename_items(items: list[dict[str, Any]], renamed: dict[str, str]) -> list[dict[str, Any]]:
    """Success items name the parameter the client sent (``.../bri_inc``)."""
    if not renamed:
        return items
    out = []
    for item in items:
        success = item.get("success")
        if isinstance(success, dict) and len(success) == 1:
            ((address, value),) = success.items()
            head, _, last = address.rpartition("/")
            if last in renamed:
                item = {"success": {f"{head}/{renamed[last]}": value}}
        out.append(item)
    return out
