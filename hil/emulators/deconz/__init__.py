"""deCONZ serial protocol (ConBee II / RaspBee II) emulator on a pseudo-terminal, over the
ZNP emulator's simulated network. See ``README.md`` in this folder.

Public API: :class:`DeconzEmulator`, :class:`DeconzConfig`, :class:`StickTiming`.
"""

from __future__ import annotations

from .emulator import DeconzConfig, DeconzEmulator
from .timing import StickTiming

__all__ = ["DeconzConfig", "DeconzEmulator", "StickTiming"]
