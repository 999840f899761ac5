"""KNX emulator: a KNXnet/IP tunnelling server on loopback with simulated actuators.

See README.md in this folder for the device catalogue and the fault controls.
"""

from .bus import Bus, BusTelegram
from .catalogue import CatalogueError, default_devices, device_from_dict, load_devices
from .devices import (
    Action,
    Blind,
    Button,
    Device,
    Dimmer,
    HvacUnit,
    Scene,
    Switch,
    Thermostat,
    Value,
)
from .server import ConnectionInfo, KnxEmulator
from .tunnel_state import ServerOptions

__all__ = [
    "Action",
    "Blind",
    "Bus",
    "BusTelegram",
    "Button",
    "CatalogueError",
    "ConnectionInfo",
    "Device",
    "Dimmer",
    "HvacUnit",
    "KnxEmulator",
    "Scene",
    "ServerOptions",
    "Switch",
    "Thermostat",
    "Value",
    "default_devices",
    "device_from_dict",
    "load_devices",
]
