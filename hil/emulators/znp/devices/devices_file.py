"""Device specs from outside: a ``--devices`` file (TOML or JSON) and the
``--touchlink-target`` option, each value checked and the bad key named.

Why apart from :mod:`.spec`: the spec says what a device is; this module says how a
user writes one down, with the errors a user needs to see.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import zigpy.types as zt

from .spec import DeviceKind, DeviceSpec


@dataclass
class DevicesFile:
    """Contents of a ``--devices`` file: network devices and touchlink targets."""

    devices: list[DeviceSpec] = field(default_factory=list)
    touchlink_targets: list[DeviceSpec] = field(default_factory=list)


def spec_from_mapping(data: dict[str, Any], *, touchlink_target: bool = False) -> DeviceSpec:
    """Builds a spec from TOML/JSON/CLI values, naming the bad key on error."""
    allowed = {f.name: f for f in fields(DeviceSpec)}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        name = key.replace("-", "_")
        if name == "type":
            name = "kind"
        if name not in allowed:
            raise ValueError(f"unknown device key {key!r}")
        try:
            values[name] = _coerce(name, raw)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"bad value for {key!r}: {raw!r} ({exc})") from exc
    if "ieee" not in values:
        raise ValueError("device needs an 'ieee' address")
    spec = DeviceSpec(**values)
    if touchlink_target and not spec.touchlink:
        raise ValueError(f"{spec.kind} cannot be a touchlink target")
    return spec


def _coerce(name: str, raw: Any) -> Any:
    if name == "ieee":
        return zt.EUI64.convert(str(raw))
    if name == "kind":
        return DeviceKind(str(raw))
    kind = {f.name: f.type for f in fields(DeviceSpec)}[name]
    if kind == "bool":
        if isinstance(raw, str):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected a boolean")
        return bool(raw)
    if kind == "int":
        return int(raw, 0) if isinstance(raw, str) else int(raw)
    if kind == "float":
        return float(raw)
    return str(raw)


def parse_target_option(text: str, index: int = 1) -> DeviceSpec:
    """``--touchlink-target channel=15,type=color_temperature,factory_new=1[,ieee=..]``.

    ``index`` numbers targets without an ``ieee`` so their address is stable."""
    values: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"expected key=value in touchlink target spec, got {part!r}")
        values[key.strip()] = value.strip()
    return spec_from_mapping(with_default_ieee(values, index), touchlink_target=True)


def load_devices_file(path: Path) -> DevicesFile:
    """Reads a TOML or JSON devices file (``[[device]]`` / ``[[touchlink_target]]``)."""
    text = path.read_text()
    data: dict[str, Any] = (
        json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    )
    unknown = set(data) - {"device", "touchlink_target"}
    if unknown:
        raise ValueError(f"{path}: unknown sections {sorted(unknown)}")
    result = DevicesFile()
    for index, item in enumerate(data.get("device", [])):
        try:
            result.devices.append(spec_from_mapping(item))
        except ValueError as exc:
            raise ValueError(f"{path}: device #{index + 1}: {exc}") from exc
    for index, item in enumerate(data.get("touchlink_target", [])):
        try:
            result.touchlink_targets.append(spec_from_mapping(item, touchlink_target=True))
        except ValueError as exc:
            raise ValueError(f"{path}: touchlink_target #{index + 1}: {exc}") from exc
    return result


def target_ieee(index: int) -> zt.EUI64:
    return zt.EUI64.convert(f"00:17:88:01:7c:00:{(index >> 8) & 0xFF:02x}:{index & 0xFF:02x}")


def with_default_ieee(spec_values: dict[str, Any], index: int) -> dict[str, Any]:
    """Touchlink targets given on the command line may omit the address."""
    if "ieee" not in spec_values:
        return {**spec_values, "ieee": str(target_ieee(index))}
    return spec_values


__all__ = ["DevicesFile", "load_devices_file", "parse_target_option", "spec_from_mapping"]
