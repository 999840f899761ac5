"""Bindings between KNX group addresses and Zigbee lights, groups, scenes and sensors.

- ``records``: what a binding is, its slots (functions) and their checks;
- ``ports``: the KNX bus and the Zigbee targets the engine drives (Protocols);
- ``values``: KNX values to Zigbee state parameters and back;
- ``lanes``: latest-wins work lanes (nothing queues up during outages);
- ``engine``: :class:`BindingEngine`, the traffic between the buses;
- ``commands``: decoded KNX commands carried out on lights, groups and scenes;
- ``lights_target`` / ``sensors_source``: ports over the domain's services and events;
- ``service``: :class:`BindingsService`, the bindings the API and the catalogue give.
"""

from __future__ import annotations

from gateway.domain.bindings.engine import BindingEngine, BindingStatus
from gateway.domain.bindings.records import (
    SLOTS,
    Binding,
    BindingInvalid,
    ButtonMap,
    Target,
    parse_binding,
)

__all__ = [
    "SLOTS",
    "Binding",
    "BindingEngine",
    "BindingInvalid",
    "BindingStatus",
    "ButtonMap",
    "Target",
    "parse_binding",
]
