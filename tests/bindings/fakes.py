"""Fakes of the engine's ports for unit tests (acceptance tests use the real buses)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from xknx.dpt.payload import DPTArray, DPTBinary

from gateway.domain.bindings.ports import LevelCommand, ReportListener, SensorListener, Telegram
from gateway.knx import dpt as dpt_codec
from gateway.knx.addresses import normalize


class FakeBus:
    """Records writes and responses; telegrams are fed with :meth:`feed`."""

    def __init__(self) -> None:
        self.connected = True
        self.sent: list[tuple[str, str, str, int | float]] = []  # kind, ga, dpt, value
        self._queue: asyncio.Queue[Telegram] = asyncio.Queue()

    def canonical(self, group_address: str) -> str:
        try:
            return normalize(group_address)
        except Exception as exc:
            raise ValueError(str(exc)) from None

    async def telegrams(self) -> AsyncIterator[Telegram]:
        while True:
            yield await self._queue.get()

    def decode(self, dpt: str, payload: object) -> int | float:
        return dpt_codec.decode(dpt, payload)

    async def write(self, group_address: str, dpt: str, value: int | float) -> None:
        if not self.connected:
            raise ConnectionError("down")
        self.sent.append(("write", group_address, dpt, value))

    async def respond(self, group_address: str, dpt: str, value: int | float) -> None:
        self.sent.append(("response", group_address, dpt, value))

    def writes(self, ga: str) -> list[int | float]:
        return [v for kind, g, _, v in self.sent if kind == "write" and g == ga]


def write(ga: str, dpt: str, value: int | float, *, own: bool = False) -> Telegram:
    payload: DPTBinary | DPTArray = dpt_codec.encode(dpt, value)
    return Telegram(normalize(ga), "write", payload, own)


def read(ga: str) -> Telegram:
    return Telegram(normalize(ga), "read", None, False)


class FakeLights:
    """Lights that obey at once and report only when told to (as a real lamp: later)."""

    def __init__(self, states: dict[str, dict[str, Any]]) -> None:
        self.states = states
        self.radio_up = True
        self.unreachable: set[str] = set()
        self.applied: list[tuple[str, dict[str, Any]]] = []
        self.levels: list[tuple[str, LevelCommand]] = []
        self._listeners: list[ReportListener] = []

    def exists(self, light_id: str) -> bool:
        return light_id in self.states

    def reachable(self, light_id: str) -> bool:
        return self.radio_up and light_id in self.states and light_id not in self.unreachable

    def reported(self, light_id: str) -> dict[str, Any] | None:
        return self.states.get(light_id)

    def add_report_listener(self, listener: ReportListener) -> None:
        self._listeners.append(listener)

    def report(self, light_id: str, **changes: Any) -> None:
        self.states[light_id].update(changes)
        for listener in self._listeners:
            listener(light_id, changes)

    async def apply(self, light_id: str, params: dict[str, Any]) -> None:
        if not self.radio_up:
            raise ConnectionError("radio down")
        self.applied.append((light_id, params))

    async def level(self, light_id: str, command: LevelCommand) -> None:
        self.levels.append((light_id, command))


class FakeGroups:
    def __init__(self, members: dict[str, list[str]]) -> None:
        self._members = members
        self.applied: list[tuple[str, dict[str, Any]]] = []

    def exists(self, group_id: str) -> bool:
        return group_id in self._members

    def members(self, group_id: str) -> list[str]:
        return list(self._members.get(group_id, []))

    def group_of(self, light_ids: frozenset[str]) -> str | None:
        for gid, members in self._members.items():
            if frozenset(members) == light_ids:
                return gid
        return None

    async def apply(self, group_id: str, params: dict[str, Any]) -> None:
        self.applied.append((group_id, params))

    async def level(self, group_id: str, command: LevelCommand) -> None:
        self.applied.append((group_id, {"level": command}))


class FakeScenes:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    async def recall(self, group_id: str, scene_id: str) -> None:
        self.calls.append(("recall", group_id, scene_id))

    async def store(self, group_id: str, scene_id: str) -> None:
        self.calls.append(("store", group_id, scene_id))


class FakeSensors:
    def __init__(self) -> None:
        self.states: dict[str, dict[str, Any]] = {}
        self._listeners: list[SensorListener] = []

    def reachable(self, sensor_id: str) -> bool:
        return True

    def state(self, sensor_id: str) -> dict[str, Any] | None:
        return self.states.get(sensor_id)

    def add_listener(self, listener: SensorListener) -> None:
        self._listeners.append(listener)

    def change(self, sensor_id: str, **changes: Any) -> None:
        self.states.setdefault(sensor_id, {}).update(changes)
        for listener in self._listeners:
            listener(sensor_id, changes)
