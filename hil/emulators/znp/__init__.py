"""Z-Stack 3.30 (CC26x2) emulator on a pseudo-terminal, with simulated Zigbee lamps.

Public API: :class:`ZnpEmulator`, :class:`EmulatorConfig`, :class:`DeviceSpec`,
:class:`DeviceKind`, :class:`Timing`. See ``README.md`` in this folder.
"""

from __future__ import annotations

from .devices.devices_file import load_devices_file, parse_target_option
from .devices.spec import DeviceKind, DeviceSpec
from .emulator import EmulatorConfig, ZnpEmulator
from .timing import Timing

__all__ = [
    "DeviceKind",
    "DeviceSpec",
    "EmulatorConfig",
    "Timing",
    "ZnpEmulator",
    "load_devices_file",
    "parse_target_option",
]
