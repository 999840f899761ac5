"""An analog value object whose DPT comes from the device file ("9.001", "14", ...).

Why its own module: it is the one device whose codec is chosen at configuration time
(through xknx's DPT lookup), so an unknown DPT fails when the file is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..bus import Payload
from .base import Device
from .codecs import value_codec


@dataclass(kw_only=True, eq=False)
class Value(Device):
    """Analog value object with a configurable DPT ("9.001", "14", "5.001", ...): it takes
    the value written to ``value`` and reports it on ``value_status``."""

    type: ClassVar[str] = "value"
    commands: ClassVar[dict[str, str]] = {"value": "_on_value"}
    statuses: ClassVar[dict[str, str]] = {"value_status": "_value_state"}
    value: str
    value_status: str | None = None
    dpt: str = "9.001"
    current: Any = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        value_codec(self.dpt)  # unknown DPTs fail at configuration time

    def _on_value(self, payload: Payload) -> None:
        _, from_knx = value_codec(self.dpt)
        self.current = from_knx(payload)
        self.report("value_status", self._value_state())

    def _value_state(self) -> Payload:
        to_knx, _ = value_codec(self.dpt)
        return to_knx(self.current)
