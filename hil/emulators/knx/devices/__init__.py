"""Simulated KNX actuators: plain dataclasses of group addresses and state.

One module per kind of device (:mod:`.switching`, :mod:`.blind`, :mod:`.climate`,
:mod:`.scenes`, :mod:`.value`) over the shared behaviour in :mod:`.base` and the emulator's
own codecs in :mod:`.codecs`. This package is the registry device files are read against
(:data:`DEVICE_TYPES`, ``type = "switch"`` ...) and re-exports the names tests use.
"""

from __future__ import annotations

from .base import Device, DeviceHost
from .blind import Blind
from .climate import HvacUnit, Thermostat
from .codecs import (
    bit,
    byte_from_knx,
    byte_to_knx,
    ensure_payload,
    float16_from_knx,
    float16_to_knx,
    percent_from_knx,
    percent_to_knx,
    read_bit,
    value_codec,
)
from .scenes import Action, Button, Scene
from .switching import Dimmer, Switch
from .value import Value

DEVICE_TYPES: dict[str, type[Device]] = {
    cls.type: cls for cls in (Switch, Dimmer, Blind, Thermostat, HvacUnit, Scene, Button, Value)
}

__all__ = [
    "DEVICE_TYPES",
    "Action",
    "Blind",
    "Button",
    "Device",
    "DeviceHost",
    "Dimmer",
    "HvacUnit",
    "Scene",
    "Switch",
    "Thermostat",
    "Value",
    "bit",
    "byte_from_knx",
    "byte_to_knx",
    "ensure_payload",
    "float16_from_knx",
    "float16_to_knx",
    "percent_from_knx",
    "percent_to_knx",
    "read_bit",
    "value_codec",
]
