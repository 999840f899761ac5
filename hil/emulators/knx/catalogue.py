"""Build simulated devices from a TOML file (or a dict): one ``[[devices]]`` table each.

Why strict: a typo in a device file ("swich_status") would otherwise give a device that
silently never reports, and a test that fails far from the cause. Unknown keys and unknown
types are errors naming the device and the key.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xknx.exceptions import XKNXException

from .devices import DEVICE_TYPES, Action, Device

DEFAULT_DEVICES_FILE = Path(__file__).with_name("default_devices.toml")
_SHARED_KEYS = ("feedback_delay", "read_delay")


class CatalogueError(ValueError):
    """The device description cannot be used; the message names the device and key."""


def load_devices(path: Path) -> list[Device]:
    """Devices described in the TOML file at ``path`` (blocking read: call off the loop)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    return devices_from_dict(data, source=str(path))


def default_devices() -> list[Device]:
    """The default set (``default_devices.toml``), fresh objects on every call."""
    return load_devices(DEFAULT_DEVICES_FILE)


def devices_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> list[Device]:
    """Devices from parsed TOML: top-level delays are defaults for every device."""
    unknown = set(data) - {"devices", *_SHARED_KEYS}
    if unknown:
        raise CatalogueError(f"{source}: unknown top-level key {sorted(unknown)[0]!r}")
    shared = {key: data[key] for key in _SHARED_KEYS if key in data}
    devices: list[Device] = []
    names: set[str] = set()
    for index, entry in enumerate(data.get("devices", [])):
        device = device_from_dict({**shared, **entry}, where=f"{source}: devices[{index}]")
        if device.name in names:
            raise CatalogueError(f"{source}: duplicate device name {device.name!r}")
        names.add(device.name)
        devices.append(device)
    return devices


def device_from_dict(entry: Mapping[str, Any], where: str = "device") -> Device:
    """One device from its table; ``type`` selects the class, the rest are its fields."""
    fields = dict(entry)
    kind = fields.pop("type", None)
    cls = DEVICE_TYPES.get(str(kind))
    if cls is None:
        raise CatalogueError(f"{where}: unknown type {kind!r} (known: {', '.join(DEVICE_TYPES)})")
    allowed = {f.name for f in dataclasses.fields(cls) if f.init}
    for key in fields:
        if key not in allowed:
            raise CatalogueError(f"{where} ({kind}): unknown key {key!r}")
    if "actions" in fields:
        fields["actions"] = _actions(fields["actions"], where)
    try:
        return cls(**fields)
    except (TypeError, ValueError, XKNXException) as exc:
        raise CatalogueError(f"{where} ({kind}): {exc}") from None


def _actions(raw: Any, where: str) -> Any:
    """Scene actions are keyed by scene number, button actions are a plain list."""
    if isinstance(raw, Mapping):
        return {int(number): [_action(a, where) for a in items] for number, items in raw.items()}
    return [_action(a, where) for a in raw]


def _action(raw: Mapping[str, Any], where: str) -> Action:
    try:
        return Action(ga=str(raw["ga"]), dpt=str(raw["dpt"]), value=raw["value"])
    except KeyError as exc:
        raise CatalogueError(f"{where}: action without {exc.args[0]!r}") from None
