"""Control channel: JSON lines on a Unix socket, so tests and the HIL suite can drive an
emulator running in another process.

One request per line, one answer per line::

    -> {"cmd": "device_off", "ieee": "00:17:88:01:0e:00:00:01", "id": 7}
    <- {"ok": true, "id": 7, "result": {"ieee": "00:17:88:01:0e:00:00:01", "online": false}}
    <- {"ok": false, "id": 8, "error": "no simulated device 00:00:00:00:00:00:00:09"}

Every command maps to one public :class:`~.emulator.ZnpEmulator` method (table below), so
an in-process user can do exactly the same through Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zigpy_znp.types as t

from .devices.sensor import SensorDevice

if TYPE_CHECKING:
    from .emulator import ZnpEmulator

LOGGER = logging.getLogger(__name__)

MAX_LINE = 64 * 1024
Command = Callable[["ZnpEmulator", dict[str, Any]], Awaitable[Any]]


class ControlError(Exception):
    """A request the emulator refuses (bad arguments, unknown device ...)."""


def _ieee(args: dict[str, Any]) -> str:
    ieee = args.get("ieee")
    if not isinstance(ieee, str):
        raise ControlError("missing 'ieee'")
    return ieee


async def _ping(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    return "pong"


async def _state(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    return emu.state(frames=int(args.get("frames", 20)))


async def _frames(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    since = int(args.get("since", 0))
    return [
        {"seq": r.seq, "dir": r.direction, "time": r.timestamp, "frame": r.describe()}
        for r in emu.frames(since)
    ]


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


async def _unplug(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    emu.unplug()
    return {"plugged": False}


async def _replug(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    return {"plugged": True, "path": await emu.replug(), "pty": emu.pty_path}


MAX_NOISE = 16 * 1024 * 1024


async def _inject(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    """Raw bytes on the serial line to the host, in order with the stick's own frames:
    ``hex`` (a malformed frame, say) followed by ``noise`` random bytes (a flood).

    Why raw: a corrupted frame must reach the host's parser exactly as line noise would;
    nothing in the emulator's own framing may repair it.
    """
    try:
        data = bytes.fromhex(str(args.get("hex", "")))
    except ValueError:
        raise ControlError("'hex' must be hexadecimal digits") from None
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


def _power(online: bool) -> Command:
    async def run(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
        ieee = _ieee(args)
        emu.set_online(ieee, online)
        return {"ieee": ieee, "online": online}

    return run


async def _join(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    ieee = _ieee(args)
    return {"ieee": ieee, "joined": emu.join(ieee)}


async def _leave(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    ieee = _ieee(args)
    emu.leave(ieee)
    return {"ieee": ieee}


async def _factory_reset(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    ieee = _ieee(args)
    emu.device(ieee).factory_reset()
    return {"ieee": ieee, "factory_new": True}


async def _device(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    return emu.device(_ieee(args)).snapshot()


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


async def _save(emu: ZnpEmulator, args: dict[str, Any]) -> Any:
    await emu.save()
    return {"saved": emu.config.state_file is not None}


#: The control protocol: command name -> handler.
COMMANDS: dict[str, Command] = {
    "ping": _ping,
    "state": _state,
    "frames": _frames,
    "air": _air,
    "unplug": _unplug,
    "replug": _replug,
    "reset": _reset,
    "inject": _inject,
    "device_off": _power(False),
    "device_on": _power(True),
    "device": _device,
    "join": _join,
    "leave": _leave,
    "factory_reset": _factory_reset,
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
    "save": _save,
}


async def execute(emu: ZnpEmulator, line: bytes | str) -> dict[str, Any]:
    """Runs one request line and returns the answer object (never raises)."""
    request_id = None
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ControlError("request must be a JSON object")
        request_id = request.get("id")
        name = request.get("cmd")
        handler = COMMANDS.get(name) if isinstance(name, str) else None
        if handler is None:
            raise ControlError(f"unknown cmd {name!r}; known: {sorted(COMMANDS)}")
        result = await handler(emu, request)
    except (ControlError, KeyError, ValueError, TypeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return {"ok": False, "id": request_id, "error": str(message)}
    return {"ok": True, "id": request_id, "result": result}


class ControlServer:
    def __init__(self, emulator: ZnpEmulator, path: Path) -> None:
        self.emulator = emulator
        self.path = path
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        os.chmod(self.path, 0o600)
        LOGGER.info("control socket at %s", self.path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._clients):
            task.cancel()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        try:
            while line := await reader.readline():
                if len(line) > MAX_LINE:
                    answer: dict[str, Any] = {"ok": False, "id": None, "error": "line too long"}
                elif not line.strip():
                    continue
                else:
                    answer = await execute(self.emulator, line)
                writer.write(json.dumps(answer, default=str).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            if task is not None:
                self._clients.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


class ControlClient:
    """A small async client for the control socket (tests, HIL suite)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._next_id = 0
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> ControlClient:
        self._reader, self._writer = await asyncio.open_unix_connection(
            self.path, limit=MAX_LINE * 16
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()

    async def request(self, cmd: str, **args: Any) -> Any:
        """Sends one command; returns its result or raises :class:`ControlError`."""
        assert self._reader is not None and self._writer is not None, "use 'async with'"
        async with self._lock:
            self._next_id += 1
            payload = {"cmd": cmd, "id": self._next_id, **args}
            self._writer.write(json.dumps(payload).encode() + b"\n")
            await self._writer.drain()
            answer = json.loads(await self._reader.readline())
        if not answer.get("ok"):
            raise ControlError(answer.get("error", "unknown error"))
        return answer.get("result")
