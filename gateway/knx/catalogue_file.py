"""Reading and checking a Thinknx device catalogue file (TOML).

Why apart from the catalogue's model (:mod:`gateway.knx.catalogue`): checking is most of
the work and all of the wording an integrator sees. The file is checked completely before
it is used: every problem is reported with the file, the line of the device, the device,
the field and the reason, and a file with any problem is not used at all (a half-applied
catalogue would answer for some devices with stale addresses). The format is in
``docs/thinknx.md`` and ``docs/knx-devices.example.toml``.

Reading the file is blocking: call :func:`load_file` through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from gateway.domain.knx_controllers import (
    CONTROLLERS,
    DEVICE_TYPES,
    ControllerSpec,
    canonical_dpt,
    wire_dpt,
)

from . import dpt as dpt_codec
from .addresses import normalize
from .catalogue import CatalogueError, ControllerConfig, DeviceConfig, Problem
from .errors import KnxAddressError

GUID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""GUIDs as Thinknx prints them (22 URL-safe base64 characters) or readable names."""

_DEVICE_KEYS: Final = frozenset({"guid", "name", "type"})
_COMMON_KEYS: Final = frozenset({"command", "status", "dpt", "comm_obj", "status_comm_obj"})
_EXTRA_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "value": frozenset({"min", "max"}),
    "setpoint": frozenset({"min", "max"}),
    "hvacsetpoint": frozenset({"min", "max"}),
    "scenelaunch": frozenset({"scene", "stop"}),
}


def load_file(path: Path) -> tuple[list[DeviceConfig], str]:
    """The devices in ``path`` and the SHA-256 of its bytes (blocking)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem(None, None, None, f"cannot read ({exc.strerror})")
        raise CatalogueError(str(path), [problem]) from None
    return parse(data, source=str(path)), hashlib.sha256(data).hexdigest()


def parse(data: bytes, source: str = "<catalogue>") -> list[DeviceConfig]:
    """Validate a whole catalogue; raises :class:`CatalogueError` listing every problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(None, None, None, f"not UTF-8 ({exc.reason})")
        raise CatalogueError(source, [problem]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise CatalogueError(
            source, [Problem(line, None, None, f"not valid TOML: {exc}")]
        ) from None
    problems: list[Problem] = []
    devices = _devices(raw, _device_lines(text), problems)
    if problems:
        raise CatalogueError(source, problems)
    return devices


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _device_lines(text: str) -> list[int]:
    """Line numbers of the ``[[devices]]`` headers, in order (device i starts at the i-th)."""
    header = re.compile(r"^\s*\[\[\s*devices\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _devices(
    raw: Mapping[str, Any], lines: list[int], problems: list[Problem]
) -> list[DeviceConfig]:
    for key in raw:
        if key not in ("devices", "bindings"):  # bindings: gateway.knx.bindings_file
            problems.append(
                Problem(None, None, key, "unknown top-level key (only [[devices]], [[bindings]])")
            )
    entries = raw.get("devices", [])
    if not isinstance(entries, list):
        problems.append(Problem(None, None, "devices", "must be an array of tables [[devices]]"))
        return []
    devices: list[DeviceConfig] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) and len(lines) == len(entries) else None
        label = f"device {index + 1}"
        if not isinstance(entry, dict):
            problems.append(Problem(line, label, None, "must be a table"))
            continue
        guid = entry.get("guid")
        if isinstance(guid, str):
            label = f'device {index + 1} (guid "{guid}")'
        device = _device(entry, _Where(problems, line, label))
        if device is None:
            continue
        if device.guid in seen:
            problems.append(
                Problem(line, label, "guid", f"duplicate: also device {seen[device.guid] + 1}")
            )
            continue
        seen[device.guid] = index
        devices.append(device)
    return devices


@dataclass
class _Where:
    """Collects problems for one device."""

    problems: list[Problem]
    line: int | None
    device: str

    def add(self, fld: str | None, reason: str) -> None:
        self.problems.append(Problem(self.line, self.device, fld, reason))

    @property
    def count(self) -> int:
        return len(self.problems)


def _device(entry: Mapping[str, Any], where: _Where) -> DeviceConfig | None:
    before = where.count
    guid = entry.get("guid")
    if guid is None:
        where.add("guid", "missing")
    elif not isinstance(guid, str) or not GUID_RE.match(guid):
        where.add("guid", f"must be 1..64 letters, digits, '-' or '_', got {guid!r}")
    name = entry.get("name", "")
    if not isinstance(name, str) or len(name) > 128:
        where.add("name", "must be a string of at most 128 characters")
    kind = entry.get("type")
    if kind not in DEVICE_TYPES:
        where.add("type", f"must be one of {', '.join(DEVICE_TYPES)}, got {kind!r}")
    controllers: dict[str, ControllerConfig] = {}
    for key, value in entry.items():
        if key in _DEVICE_KEYS:
            continue
        spec = CONTROLLERS.get(key)
        if spec is None:
            where.add(key, f"unknown key (controllers: {', '.join(CONTROLLERS)})")
            continue
        if kind in DEVICE_TYPES and spec.device_type != kind:
            where.add(key, f"a {kind} has no {key} controller (it belongs to a {spec.device_type})")
            continue
        if not isinstance(value, dict):
            where.add(key, 'must be a table like { command = "1/0/1", comm_obj = 1 }')
            continue
        config = _controller(spec, value, where)
        if config is not None:
            controllers[key] = config
    if not controllers and where.count == before:
        where.add(None, "has no controllers")
    if where.count != before:
        return None
    assert isinstance(guid, str) and isinstance(kind, str) and isinstance(name, str)
    return DeviceConfig(guid=guid, name=name, type=kind, controllers=controllers)


def _controller(
    spec: ControllerSpec, raw: Mapping[str, Any], where: _Where
) -> ControllerConfig | None:
    before = where.count
    name = spec.name
    allowed = _COMMON_KEYS | _EXTRA_KEYS.get(name, frozenset())
    for key in raw:
        if key not in allowed:
            where.add(f"{name}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    command = _group(raw, "command", name, where, required=spec.settable)
    if not spec.settable and "command" in raw:
        where.add(f"{name}.command", f"{name} is read-only: give only a status address")
    status = _group(raw, "status", name, where, required=not spec.settable)
    if status is not None and not spec.readable and not spec.feedback:
        where.add(f"{name}.status", f"{name} has no status in the Thinknx API")
    dpt = _dpt(spec, raw.get("dpt", spec.default_dpt), where)
    comm_obj = _comm_obj(raw, "comm_obj", name, where, required=True)
    status_comm_obj = _comm_obj(raw, "status_comm_obj", name, where, required=False)
    minimum = _bound(raw, "min", name, where)
    maximum = _bound(raw, "max", name, where)
    if minimum is not None and maximum is not None and minimum > maximum:
        where.add(f"{name}.min", f"min {minimum:g} is above max {maximum:g}")
    if dpt is not None and (minimum is not None or maximum is not None):
        _check_bounds_fit(dpt, name, minimum, maximum, where)
    scene = stop = None
    if name == "scenelaunch":
        scene = _scene(raw, where)
        stop = _group(raw, "stop", name, where, required=False)
    if where.count != before:
        return None
    assert dpt is not None and comm_obj is not None
    return ControllerConfig(
        controller=name,
        command=command,
        status=status,
        dpt=dpt,
        comm_obj=comm_obj,
        status_comm_obj=comm_obj if status_comm_obj is None else status_comm_obj,
        minimum=minimum,
        maximum=maximum,
        scene=scene,
        stop=stop,
    )


def _group(
    raw: Mapping[str, Any], key: str, name: str, where: _Where, *, required: bool
) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            where.add(f"{name}.{key}", "missing group address")
        return None
    if not isinstance(value, str):
        where.add(f"{name}.{key}", f'must be a group address string like "1/0/1", got {value!r}')
        return None
    try:
        return normalize(value)
    except KnxAddressError as exc:
        where.add(f"{name}.{key}", str(exc))
        return None


def _dpt(spec: ControllerSpec, value: Any, where: _Where) -> str | None:
    fld = f"{spec.name}.dpt"
    dpt = canonical_dpt(value) if isinstance(value, str) else None
    if dpt is None:
        where.add(fld, f'not a DPT: {value!r} (write it like "9.001")')
        return None
    if not spec.allows_dpt(dpt):
        where.add(fld, f"DPT {dpt} does not suit {spec.name} (use {', '.join(spec.dpts)})")
        return None
    try:
        dpt_codec.spec(wire_dpt(dpt))
    except dpt_codec.DptError as exc:
        where.add(fld, str(exc))
        return None
    return dpt


def _comm_obj(
    raw: Mapping[str, Any], key: str, name: str, where: _Where, *, required: bool
) -> int | None:
    value = raw.get(key)
    if value is None:
        if required:
            where.add(f"{name}.{key}", "missing (the communication object number clients see)")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        where.add(f"{name}.{key}", f"must be a whole number 0..65535, got {value!r}")
        return None
    return value


def _bound(raw: Mapping[str, Any], key: str, name: str, where: _Where) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        where.add(f"{name}.{key}", f"must be a number, got {value!r}")
        return None
    return float(value)


def _check_bounds_fit(
    dpt: str, name: str, minimum: float | None, maximum: float | None, where: _Where
) -> None:
    entry = dpt_codec.spec(wire_dpt(dpt))
    for key, bound in (("min", minimum), ("max", maximum)):
        if bound is not None and not entry.minimum <= bound <= entry.maximum:
            where.add(
                f"{name}.{key}",
                f"{bound:g} is outside DPT {dpt}'s range {entry.minimum:g}..{entry.maximum:g}",
            )


def _scene(raw: Mapping[str, Any], where: _Where) -> int | None:
    value = raw.get("scene")
    if value is None:
        where.add("scenelaunch.scene", "missing (the DPT 17.001 scene number 0..63 on the wire)")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 63:
        where.add("scenelaunch.scene", f"must be a whole number 0..63, got {value!r}")
        return None
    return value
