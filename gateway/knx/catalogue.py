"""The Thinknx device catalogue: GUID -> device type -> controllers -> group addresses, DPT.

Why a file of its own (TOML, see ``docs/thinknx.md`` and ``docs/knx-devices.example.toml``):
a Thinknx server learns its devices from the Configurator project; this gateway has no
project, so an integrator writes down, once, which GUID a client will send and which group
addresses and DPT stand behind each controller. The file is checked completely before it is
used: every problem is reported with the file, the line of the device, the device, the field
and the reason, and a file with any problem is not used at all (a half-applied catalogue
would answer for some devices with stale addresses).

One ``[[devices]]`` table per device::

    [[devices]]
    guid = "1lzPszHWAeuvzxtXBMkzWQ"
    name = "Living room light"          # optional
    type = "light"
    power = { command = "1/0/1", status = "1/0/2", comm_obj = 1 }
    powerlevel = { command = "1/1/3", status = "1/1/4", comm_obj = 3 }

This module is the catalogue as the gateway holds it (devices, controllers, the problems
that refuse a file); reading and checking a file is :mod:`gateway.knx.catalogue_file`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from gateway.domain.knx_controllers import (
    CONTROLLERS,
    ControllerSpec,
)

MAX_ERRORS: Final = 20
"""Problems listed before the rest are summarised: enough to fix a file in one go."""


@dataclass(frozen=True)
class ControllerConfig:
    """One controller of one device, as the catalogue configures it.

    ``command``/``status`` are canonical group addresses ("1/0/1"); ``dpt`` is the canonical
    catalogue DPT ("9.001", "20.102"). ``minimum``/``maximum`` narrow a decimal value's range;
    ``scene`` (DPT 17.001 field value 0..63) and ``stop`` (a group address written with a 1
    for ``cmd=0``) belong to ``scenelaunch``.
    """

    controller: str
    command: str | None
    status: str | None
    dpt: str
    comm_obj: int
    status_comm_obj: int
    minimum: float | None = None
    maximum: float | None = None
    scene: int | None = None
    stop: str | None = None

    @property
    def spec(self) -> ControllerSpec:
        """The controller's entry in the Thinknx table."""
        return CONTROLLERS[self.controller]

    def options(self) -> dict[str, Any]:
        """The controller-specific fields, for the store."""
        values = {"min": self.minimum, "max": self.maximum, "scene": self.scene, "stop": self.stop}
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class DeviceConfig:
    """One device: what a client names with ``guid``."""

    guid: str
    name: str
    type: str
    controllers: Mapping[str, ControllerConfig]


@dataclass(frozen=True)
class Catalogue:
    """The devices in service, where they came from and since when (``config_time``)."""

    devices: Mapping[str, DeviceConfig] = field(default_factory=dict)
    source: str = ""
    sha256: str = ""
    loaded_at: datetime | None = None

    def controller(self, guid: str, name: str) -> ControllerConfig | None:
        """The controller ``name`` of device ``guid``, if the catalogue has it."""
        device = self.devices.get(guid)
        return None if device is None else device.controllers.get(name)


@dataclass(frozen=True)
class Problem:
    """One reason a catalogue file is refused."""

    line: int | None
    device: str | None
    field: str | None
    reason: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        parts = [where]
        if self.device:
            parts.append(self.device)
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.reason])


class CatalogueError(ValueError):
    """The catalogue file cannot be used; ``str()`` lists every problem, one per line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [p.render(source) for p in problems[:MAX_ERRORS]]
        if len(problems) > MAX_ERRORS:
            lines.append(f"{source}: ... and {len(problems) - MAX_ERRORS} more problems")
        super().__init__("\n".join(lines))


# --- the store's plain form -------------------------------------------------------------------


def controller_from_fields(
    controller: str,
    command: str | None,
    status: str | None,
    dpt: str,
    comm_obj: int,
    status_comm_obj: int,
    options: Mapping[str, Any],
) -> ControllerConfig:
    """Rebuild a controller from the columns the store keeps."""
    return ControllerConfig(
        controller=controller,
        command=command,
        status=status,
        dpt=dpt,
        comm_obj=comm_obj,
        status_comm_obj=status_comm_obj,
        minimum=_opt_float(options.get("min")),
        maximum=_opt_float(options.get("max")),
        scene=_opt_int(options.get("scene")),
        stop=_opt_str(options.get("stop")),
    )


def catalogue_of(
    devices: Iterable[DeviceConfig], *, source: str, sha256: str, loaded_at: datetime | None
) -> Catalogue:
    """A catalogue from validated devices (order kept)."""
    return Catalogue({d.guid: d for d in devices}, source, sha256, loaded_at)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
