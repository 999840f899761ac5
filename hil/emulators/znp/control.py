"""The ZNP emulator's control commands (the socket protocol, server and client are
:mod:`hil.emulators.common.control`, shared with the deCONZ emulator)::

    -> {"cmd": "device_off", "ieee": "00:17:88:01:0e:00:00:01", "id": 7}
    <- {"ok": true, "id": 7, "result": {"ieee": "00:17:88:01:0e:00:00:01", "online": false}}

Every command maps to one public :class:`~.emulator.ZnpEmulator` method (table below), so
an in-process user can do exactly the same through Python.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zigpy_znp.types as t

from hil.emulators.common import control as common
from hil.emulators.common.commands import COMMON
from hil.emulators.common.control import MAX_LINE, ControlClient, ControlError, hex_arg
from hil.emulators.common.control import ieee_arg as _ieee

from .devices.sensor import SensorDevice

if TYPE_CHECKING:
    from .emulator import ZnpEmulator


__all__ = ["COMMANDS", "MAX_LINE", "ControlClient", "ControlError", "ControlServer", "execute"]

Command = Callable[["ZnpEmulator", dict[str, Any]], Awaitable[Any]]


def _optional_int(args: dict[str, Any], key: str) -> int | None:
    value = args.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return int(value, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(f"'{key}' must be a number")
    return value


async def _air(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    """Frames on the air (a sniffer's view), e.g. ``{"cmd": "air", "group": 5}``."""
    mode = args.get("dst_mode")
    if mode is not None and mode not in ("nwk", "group", "broadcast"):
        raise ControlError("dst_mode must be 'nwk', 'group' or 'broadcast'")
    frames = emu.air_log.records(
        int(args.get("since", 0)),
        dst_mode=mode,
        group=_optional_int(args, "group"),
        cluster=_optional_int(args, "cluster"),
    )
    return {"last_seq": emu.air_log.last_seq, "frames": frames}


MAX_NOISE = 16 * 1024 * 1024


async def _inject(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    """Raw bytes on the serial line to the host, in order with the stick's own frames:
    ``hex`` (a malformed frame, say) followed by ``noise`` random bytes (a flood).

    Why raw: a corrupted frame must reach the host's parser exactly as line noise would;
    nothing in the emulator's own framing may repair it.
    """
    data = hex_arg(args, "hex")
    noise = int(args.get("noise", 0))
    if not 0 <= noise <= MAX_NOISE:
        raise ControlError(f"'noise' must be 0..{MAX_NOISE} bytes")
    data += emu.rng.randbytes(noise)
    dropped = emu.port.bytes_dropped
    emu.port.write(data)
    if emu.port.bytes_dropped != dropped:
        raise ControlError("no host has the port open; nothing was sent")
    return {"injected": len(data)}


async def _reset(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    name = str(args.get("reason", "Watchdog"))
    try:
        reason = t.ResetReason[name]
    except KeyError:
        raise ControlError(f"reason must be one of {[r.name for r in t.ResetReason]}") from None
    emu.reset(reason)
    return {"reason": reason.name}


async def _energy(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    channel, value = int(args.get("channel", 0)), int(args.get("value", -1))
    if not 11 <= channel <= 26 or not 0 <= value <= 255:
        raise ControlError("need channel 11..26 and value 0..255")
    emu.stack.channel_energy[channel] = value
    return {"channel": channel, "value": value}


def _sensor(emu: ZnpEmulator, args: dict[str, Any]) -> SensorDevice:
    device = emu.device(_ieee(args))
    if not isinstance(device, SensorDevice):
        raise ControlError(f"{device.ieee} is a {device.spec.kind}, not a sensor or remote")
    return device


def _number(args: dict[str, Any], key: str) -> float:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"'{key}' must be a number")
    return float(value)


def _flag(args: dict[str, Any], key: str) -> bool:
    value = args.get(key)
    if not isinstance(value, bool):
        raise ControlError(f"'{key}' must be true or false")
    return value


async def _press(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    device = _sensor(emu, args)
    button = args.get("button")
    if not isinstance(button, str | int) or isinstance(button, bool):
        raise ControlError("'button' must be a name or a number")
    event = args.get("event", "press")
    duration = _number(args, "duration") if "duration" in args else 0.0
    if not isinstance(event, str):
        raise ControlError("'event' must be a string")
    sent = device.press(button, event, duration)
    return {"ieee": str(device.ieee), "button": button, "event": event, "frames": sent}


def _reading(action: str, key: str, kind: str) -> Command:
    """A sensor event: ``{"cmd": action, "ieee": ..., key: value}``."""

    async def run(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
        device = _sensor(emu, args)
        value: Any = _flag(args, key) if kind == "bool" else _number(args, key)
        device.event(action, value)
        return {"ieee": str(device.ieee), key: value}

    return run


async def _wake(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    device = _sensor(emu, args)
    device.wake(_number(args, "seconds") if "seconds" in args else None)
    return {"ieee": str(device.ieee), "awake": device.awake()}


async def _raw_frame(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    """Any bytes from a device to the coordinator: malformed ZCL, unknown clusters."""
    device = emu.device(_ieee(args))
    data = args.get("data")
    if not isinstance(data, str):
        raise ControlError("'data' must be a hex string")
    try:
        payload = bytes.fromhex(data)
    except ValueError:
        raise ControlError("'data' must be a hex string") from None
    cluster = _optional_int(args, "cluster")
    if cluster is None or not 0 <= cluster <= 0xFFFF:
        raise ControlError("'cluster' must be 0..0xffff")
    endpoint = _optional_int(args, "endpoint") or device.endpoint.endpoint_id
    dst = _optional_int(args, "dst_endpoint") or 1
    if isinstance(device, SensorDevice):
        device.wake()
    device.send_raw(endpoint, cluster, payload, dst_ep=dst)
    return {
        "ieee": str(device.ieee),
        "endpoint": endpoint,
        "cluster": cluster,
        "bytes": len(payload),
    }


#: The control protocol: command name -> handler.
COMMANDS: dict[str, Command] = {
    **COMMON,
    "air": _air,
    "reset": _reset,
    "inject": _inject,
    "energy": _energy,
    "press": _press,
    "motion": _reading("motion", "occupied", "bool"),
    "illuminance": _reading("illuminance", "lux", "number"),
    "temperature": _reading("temperature", "celsius", "number"),
    "humidity": _reading("humidity", "percent", "number"),
    "contact": _reading("contact", "open", "bool"),
    "battery": _reading("battery", "percent", "number"),
    "wake": _wake,
    "raw_frame": _raw_frame,
}


async def execute(emu: ZnpEmulator, line: bytes | str) -> dict[str, Any]:
    """Runs one request line and returns the answer object (never raises)."""
    return await common.execute(emu, line, COMMANDS)


class ControlServer(common.ControlServer["ZnpEmulator"]):
    """The ZNP emulator's command table on a Unix socket."""

    def __init__(self, emulator: ZnpEmulator, path: Path) -> None:
        super().__init__(emulator, path, COMMANDS)
