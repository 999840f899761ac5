"""The ``[[bindings]]`` of the device catalogue file: KNX group addresses to Zigbee targets.

Why in the same TOML file as the Thinknx devices: it is the one place an integrator writes
down the installation's group addresses, and the gateway already watches it for changes.
The bindings are checked on their own (``gateway.domain.bindings.records`` rules, every
problem with the file, line and field); a file whose bindings are wrong keeps the bindings
in service, as a bad device keeps the devices in service. Example::

    [[bindings]]
    name = "Hall ceiling"
    target = { type = "light", id = "1" }
    knx = { switch = ["1/0/1", "1/7/0"], switch_status = "1/0/2", brightness = "1/0/3" }

Reading the file is blocking: call :func:`load_bindings` through ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from gateway.domain.bindings.records import Binding, BindingInvalid, parse_binding

from .addresses import normalize
from .catalogue import CatalogueError, Problem
from .errors import KnxAddressError

_HEADER = re.compile(r"^\s*\[\[\s*bindings\s*\]\]")


def canonical_group_address(text: str) -> str:
    """ "1/0/1" for any spelling; ValueError (the domain's currency) when it is not one."""
    try:
        return normalize(text)
    except KnxAddressError as exc:
        raise ValueError(str(exc)) from None


def parse_bindings(data: bytes, source: str = "<catalogue>") -> list[Binding]:
    """Every binding of a catalogue file; :class:`CatalogueError` listing every problem."""
    try:
        text = data.decode("utf-8")
        raw = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(
            source, [Problem(None, None, None, f"not valid TOML: {exc}")]
        ) from None
    entries: Any = raw.get("bindings", [])
    if not isinstance(entries, list):
        problem = Problem(None, None, "bindings", "must be an array of tables [[bindings]]")
        raise CatalogueError(source, [problem])
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]
    problems: list[Problem] = []
    bindings: list[Binding] = []
    for index, entry in enumerate(entries):
        line = lines[index] if len(lines) == len(entries) else None
        label = f"binding {index + 1}"
        if not isinstance(entry, dict):
            problems.append(Problem(line, label, None, "must be a table"))
            continue
        try:
            binding = parse_binding(
                entry, canonical_group_address, id=f"catalogue-{index + 1}", source="catalogue"
            )
        except BindingInvalid as exc:
            problems.append(Problem(line, label, exc.field, exc.reason))
            continue
        bindings.append(binding)
    if problems:
        raise CatalogueError(source, problems)
    return bindings


def load_bindings(path: Path) -> list[Binding]:
    """The bindings of the file at ``path`` (blocking)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(str(path), [Problem(None, None, None, exc.strerror or "")]) from None
    return parse_bindings(data, source=str(path))
