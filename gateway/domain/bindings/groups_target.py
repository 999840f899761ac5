"""The bindings' :class:`GroupTarget` and :class:`SceneRecaller` over the groups domain.

Why through ``GroupsService``: a KNX central function must act as ``PUT /groups/<id>/action``
does (one groupcast per command, the members' shown state updated, reports confirming it),
and a KNX scene number recalls the same Zigbee scene a client would.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.bindings.lights_target import CommandFailed
from gateway.domain.bindings.ports import LevelCommand
from gateway.domain.groups import GroupNotFound, GroupsService, SceneNotFound, ScenesService
from gateway.domain.groups.records import Group
from gateway.domain.groups.service import group_capabilities
from gateway.domain.lights import Outcome, StateRequest
from gateway.domain.radio import RadioUnavailable


class ServiceGroups:
    """Groups (and their scenes) as the binding engine drives them."""

    def __init__(self, groups: GroupsService, scenes: ScenesService) -> None:
        self._groups = groups
        self._scenes = scenes

    def _group(self, group_id: str) -> Group | None:
        try:
            return self._groups.get(group_id)
        except GroupNotFound:
            return None

    def exists(self, group_id: str) -> bool:
        return self._group(group_id) is not None

    def members(self, group_id: str) -> list[str]:
        group = self._group(group_id)
        return [] if group is None else [light.rid for light in self._groups.members(group)]

    def group_of(self, light_ids: frozenset[str]) -> str | None:
        for group in self._groups.all():
            if frozenset(group.lights) == light_ids:
                return group.rid
        everyone = self._groups.all_lights_group()
        return everyone.rid if frozenset(everyone.lights) == light_ids else None

    async def apply(self, group_id: str, params: dict[str, Any]) -> None:
        group = self._groups.get(group_id)
        results = await self._groups.set_action(group, StateRequest(tuple(params.items())))
        failed = [f"{r.name}: {r.outcome}" for r in results if r.outcome is not Outcome.OK]
        if failed:
            raise CommandFailed(f"group {group_id}: " + "; ".join(failed))

    async def level(self, group_id: str, command: LevelCommand) -> None:
        group = self._groups.get(group_id)
        transport = self._groups.transport
        if transport is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        transport.check_ready()
        caps = group_capabilities(self._groups.members(group))
        await transport.send_group(group.address, caps, command)

    async def recall(self, group_id: str, scene_id: str) -> None:
        group = self._groups.get(group_id)
        await self._scenes.recall(group, self._scene(group, scene_id))

    async def store(self, group_id: str, scene_id: str) -> None:
        """KNX "learn": the members' current state becomes the scene (it must exist)."""
        group = self._groups.get(group_id)
        await self._scenes.store(group, self._scene(group, scene_id))

    def _scene(self, group: Group, scene_id: str) -> Any:
        try:
            return self._scenes.get(group, scene_id)
        except SceneNotFound:
            raise CommandFailed(f"group {group.rid} has no scene {scene_id}") from None
