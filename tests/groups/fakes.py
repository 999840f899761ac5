"""A recording group transport and an API rig for unit tests of groups and scenes
(the acceptance tests in this folder and in tests/clients use the emulator)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from gateway.domain.groups import GroupsService, ScenesService
from gateway.domain.lights.model import Capabilities, LightAddress, LightCommand, LightUnreachable
from gateway.domain.radio import RadioBusy, RadioUnavailable
from tests.zigbee.fakes import LightsRig, discovered, lights_rig


@dataclass
class FakeGroupTransport:
    """Keeps each lamp's group table; records groupcasts and scene commands."""

    up: bool = True
    busy_with: str | None = None
    tables: dict[LightAddress, set[int]] = field(default_factory=dict)
    unreachable: set[LightAddress] = field(default_factory=set)
    groupcasts: list[tuple[int, LightCommand]] = field(default_factory=list)
    scene_calls: list[tuple[Any, ...]] = field(default_factory=list)

    def check_ready(self) -> None:
        if not self.up:
            raise RadioUnavailable("Not connected")
        if self.busy_with:
            raise RadioBusy(self.busy_with)

    def _lamp(self, address: LightAddress) -> set[int]:
        self.check_ready()
        if address in self.unreachable:
            raise LightUnreachable(str(address))
        return self.tables.setdefault(address, set())

    async def add_member(self, address: LightAddress, group: int) -> None:
        self._lamp(address).add(group)

    async def remove_member(self, address: LightAddress, group: int) -> None:
        self._lamp(address).discard(group)

    async def memberships(self, address: LightAddress) -> set[int]:
        return set(self._lamp(address))

    async def send_group(self, group: int, caps: Capabilities, command: LightCommand) -> None:
        self.check_ready()
        self.groupcasts.append((group, command))

    async def store_scene(self, address: LightAddress, group: int, scene: int) -> None:
        self._lamp(address)
        self.scene_calls.append(("store", address, group, scene))

    async def add_scene(
        self, address: LightAddress, caps: Capabilities, group: int, scene: int, name: str,
        transition: int, state: dict[str, Any],
    ) -> None:  # fmt: skip
        self._lamp(address)
        self.scene_calls.append(("add", address, group, scene, transition, dict(state)))

    async def remove_scene(self, address: LightAddress, group: int, scene: int) -> None:
        self._lamp(address)
        self.scene_calls.append(("remove", address, group, scene))

    async def recall_scene(self, group: int, scene: int, transition: int | None) -> None:
        self.check_ready()
        self.scene_calls.append(("recall", group, scene, transition))


@dataclass
class GroupsRig:
    lights: LightsRig
    service: GroupsService
    scenes: ScenesService
    transport: FakeGroupTransport

    @property
    def client(self):
        return self.lights.client

    def url(self, path: str = "") -> str:
        return f"/api/{self.lights.key}{path}"

    def address(self, index: int) -> LightAddress:
        return discovered(index).address


@asynccontextmanager
async def groups_rig(
    url: str, *, lamps: int = 3, hue_client: bool = False
) -> AsyncIterator[GroupsRig]:
    async with lights_rig(url, hue_client=hue_client) as rig:
        for index in range(1, lamps + 1):
            await rig.service.discovered(discovered(index), may_add=True)
        transport = FakeGroupTransport()
        service = GroupsService(
            rig.h.store, rig.h.services.events, rig.service, transport=transport
        )
        await service.load()
        scenes = ScenesService(service)
        rig.h.services.groups = service
        rig.h.services.scenes = scenes
        try:
            yield GroupsRig(rig, service, scenes, transport)
        finally:
            await service.stop()
