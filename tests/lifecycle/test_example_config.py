"""systemd/gateway.toml.example, the file `make install` puts in /etc/gateway, against the
settings the code actually has: it must load, list every setting, and its commented lines
("#key = value") must show the real defaults, so that a person editing it on a Pi is never
told something the code does not do.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from gateway.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "systemd" / "gateway.toml.example"
SETTING_LINE = re.compile(r"^#(\w+) = (.+)$")
SECTION_LINE = re.compile(r"^\[(\w+)\]$")
# Active in the example on purpose: a Pi must not run the development emulators.
ACTIVE_FOR_A_PI = {("radio", "kind"): "znp", ("knx", "mode"): "none"}


def documented() -> dict[tuple[str, str], tuple[Any, bool]]:
    """(section, key) → (value, commented?) for every setting line in the example."""
    found: dict[tuple[str, str], tuple[Any, bool]] = {}
    section = ""
    for line in EXAMPLE.read_text().splitlines():
        if m := SECTION_LINE.match(line):
            section = m.group(1)
        elif m := SETTING_LINE.match(line):
            key, value = m.group(1), tomllib.loads(f"v = {m.group(2)}")["v"]
            assert (section, key) not in found, f"{section}.{key} listed twice"
            found[(section, key)] = (value, True)
        elif line and not line.startswith("#"):
            key, _, value = line.partition(" = ")
            found[(section, key)] = (tomllib.loads(f"v = {value}")["v"], False)
    return found


def defaults() -> dict[tuple[str, str], Any]:
    result = {}
    base = Settings()
    for section in dataclasses.fields(Settings):
        obj = getattr(base, section.name)
        for fld in dataclasses.fields(obj):
            result[(section.name, fld.name)] = getattr(obj, fld.name)
    return result


def test_example_config_loads_as_shipped() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert settings.radio.kind == "znp"
    assert settings.knx.mode == "none"


def test_example_config_lists_every_setting() -> None:
    missing = sorted(f"{s}.{k}" for s, k in set(defaults()) - set(documented()))
    assert missing == []


def test_example_config_lists_no_setting_the_code_lacks() -> None:
    unknown = sorted(f"{s}.{k}" for s, k in set(documented()) - set(defaults()))
    assert unknown == []


def test_example_config_commented_values_are_the_defaults() -> None:
    wrong = {}
    for key, default in defaults().items():
        value, commented = documented().get(key, (None, False))
        if not commented:
            continue
        expected = "" if default is None else default  # TOML has no null: "" means unset
        if isinstance(expected, Path):
            expected = str(expected)
        if value != expected:
            wrong[".".join(key)] = (value, expected)
    assert wrong == {}


def test_example_config_activates_only_what_a_pi_must_decide() -> None:
    active = {key: value for key, (value, commented) in documented().items() if not commented}
    assert active == ACTIVE_FOR_A_PI


def test_example_config_still_loads_with_every_setting_uncommented(tmp_path: Path) -> None:
    text = re.sub(r"(?m)^#(\w+ = )", r"\1", EXAMPLE.read_text())
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    try:
        load_settings(path, environ={})
    except Exception as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"uncommented example does not load: {exc}")
