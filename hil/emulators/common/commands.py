"""The control commands every emulated stick answers alike (``ping``, ``state``,
``frames``, ``unplug``/``replug``, lamp power, ``join``/``leave``, ``factory_reset``,
``device``, ``save``), written once against what both emulators offer.

Why: the HIL suite drives a Z-Stack and a ConBee with the same requests and reads the
same answers; one definition keeps the two from drifting. Each emulator's own table adds
what only it has (``reset`` reasons, ``inject`` arguments, sensors, the air log).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from .control import Command, ieee_arg


class FrameRecordLike(Protocol):
    @property
    def seq(self) -> int: ...

    @property
    def direction(self) -> str: ...

    @property
    def timestamp(self) -> float: ...

    def describe(self) -> str: ...


class DeviceLike(Protocol):
    def factory_reset(self) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...


class ConfigLike(Protocol):
    @property
    def state_file(self) -> Path | None: ...


class Emulator(Protocol):
    """What the common commands need of an emulator (ZNP and deCONZ both have it)."""

    @property
    def config(self) -> ConfigLike: ...

    @property
    def pty_path(self) -> str | None: ...

    def state(self, frames: int = 20) -> dict[str, Any]: ...

    def frames(self, since: int = 0) -> Sequence[FrameRecordLike]: ...

    def unplug(self) -> None: ...

    async def replug(self) -> str: ...

    def device(self, ieee: str) -> DeviceLike: ...

    def set_online(self, ieee: str, online: bool) -> None: ...

    def join(self, ieee: str) -> bool: ...

    def leave(self, ieee: str) -> None: ...

    async def save(self) -> None: ...


async def ping(emu: Emulator, args: dict[str, Any]) -> Any:
    return "pong"


async def state(emu: Emulator, args: dict[str, Any]) -> Any:
    return emu.state(frames=int(args.get("frames", 20)))


async def frames(emu: Emulator, args: dict[str, Any]) -> Any:
    return [
        {"seq": r.seq, "dir": r.direction, "time": r.timestamp, "frame": r.describe()}
        for r in emu.frames(int(args.get("since", 0)))
    ]


async def unplug(emu: Emulator, args: dict[str, Any]) -> Any:
    emu.unplug()
    return {"plugged": False}


async def replug(emu: Emulator, args: dict[str, Any]) -> Any:
    return {"plugged": True, "path": await emu.replug(), "pty": emu.pty_path}


def power(online: bool) -> Command[Emulator]:
    """``device_on``/``device_off``: a lamp's mains power."""

    async def run(emu: Emulator, args: dict[str, Any]) -> Any:
        ieee = ieee_arg(args)
        emu.set_online(ieee, online)
        return {"ieee": ieee, "online": online}

    return run


async def join(emu: Emulator, args: dict[str, Any]) -> Any:
    ieee = ieee_arg(args)
    return {"ieee": ieee, "joined": emu.join(ieee)}


async def leave(emu: Emulator, args: dict[str, Any]) -> Any:
    ieee = ieee_arg(args)
    emu.leave(ieee)
    return {"ieee": ieee}


async def factory_reset(emu: Emulator, args: dict[str, Any]) -> Any:
    ieee = ieee_arg(args)
    emu.device(ieee).factory_reset()
    return {"ieee": ieee, "factory_new": True}


async def device(emu: Emulator, args: dict[str, Any]) -> Any:
    return emu.device(ieee_arg(args)).snapshot()


async def save(emu: Emulator, args: dict[str, Any]) -> Any:
    await emu.save()
    return {"saved": emu.config.state_file is not None}


#: The shared part of every emulator's command table.
COMMON: dict[str, Command[Emulator]] = {
    "ping": ping,
    "state": state,
    "frames": frames,
    "unplug": unplug,
    "replug": replug,
    "device_off": power(False),
    "device_on": power(True),
    "device": device,
    "join": join,
    "leave": leave,
    "factory_reset": factory_reset,
    "save": save,
}
