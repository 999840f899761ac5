"""Scenes: states of a group's lights that the lamps keep and recall themselves.

Why in the lamps: a scene is stored in every member with ZCL Store Scene / Add Scene and
recalled with one groupcast Recall Scene, so all members change together and a scene
survives a lamp's power cycle; the store keeps a copy so that the API can list scenes
with their per-light states and survive a gateway restart.

Choices (docs/groups.md): creating a scene with the name of an existing one stores into
it (deCONZ); scene ids are the lowest free of 1..255 per group; lamps that do not answer
while a scene is stored are left out of it (their last state is not known to be in the
lamp); recall answers once the groupcast is confirmed by the coordinator and publishes a
``scene-called`` event, and the members show the scene's values until their reports
confirm or correct them.
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.domain.groups.membership import RADIO_PROBLEMS
from gateway.domain.groups.records import (
    MAX_SCENE_ID,
    Group,
    Scene,
    SceneNotFound,
    SceneTableFull,
)
from gateway.domain.groups.service import GroupsService
from gateway.domain.lights.records import Light, LightNotFound
from gateway.domain.radio import RadioUnavailable
from gateway.store.groups_repo import StoredScene

log = logging.getLogger(__name__)

SCENE_FIELDS = ("on", "bri", "xy", "ct", "hue", "sat", "colormode")


def scene_state_of(api_state: dict[str, Any]) -> dict[str, Any]:
    """What a scene keeps of a light's state: on/off, level and the colour in its mode."""
    kept: dict[str, Any] = {k: api_state[k] for k in ("on", "bri") if k in api_state}
    mode = api_state.get("colormode")
    if mode == "xy" and "xy" in api_state:
        kept["xy"] = list(api_state["xy"])
    elif mode == "ct" and "ct" in api_state:
        kept["ct"] = api_state["ct"]
    elif mode == "hs":
        kept.update({k: api_state[k] for k in ("hue", "sat") if k in api_state})
    if mode is not None:
        kept["colormode"] = mode
    return kept


class ScenesService:
    def __init__(self, groups: GroupsService) -> None:
        self.groups = groups

    def _transport(self) -> Any:
        transport = self.groups.transport
        if transport is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        transport.check_ready()
        return transport

    def get(self, group: Group, scene_id: str) -> Scene:
        number = int(scene_id) if scene_id.isdigit() and str(int(scene_id)) == scene_id else -1
        scene = group.scenes.get(number)
        if scene is None:
            raise SceneNotFound(scene_id)
        return scene

    async def _save(self, scene: Scene) -> None:
        await self.groups.lights_store().save_scene(
            StoredScene(scene.group_id, scene.id, scene.name, scene.transitiontime, scene.states)
        )

    async def create(self, group: Group, name: str) -> Scene:
        """Store the members' current states as a new scene (or into the one of that name)."""
        for scene in group.scenes.values():
            if scene.name == name:
                await self.store(group, scene)
                return scene
        free = next((i for i in range(1, MAX_SCENE_ID + 1) if i not in group.scenes), None)
        if free is None:
            raise SceneTableFull(group.rid)
        scene = Scene(group.id, free, name)
        await self.store(group, scene)
        group.scenes[scene.id] = scene
        await self.groups.publish_attributes(group)
        return scene

    async def store(self, group: Group, scene: Scene) -> None:
        """ZCL Store Scene in every reachable member; the store keeps their states."""
        transport = self._transport()
        states: dict[str, dict[str, Any]] = {}
        for light in self.groups.members(group):
            if not self.groups.lights.reachable(light):
                continue
            try:
                await transport.store_scene(light.address, group.address, scene.id)
            except RADIO_PROBLEMS as exc:
                log.info("light %s did not store scene %s: %r", light.rid, scene.id, exc)
                continue
            states[light.rid] = scene_state_of(self.groups.lights.api_state(light))
        scene.states = states
        await self._save(scene)

    async def rename(self, group: Group, scene: Scene, name: str) -> None:
        scene.name = name
        await self._save(scene)

    async def recall(self, group: Group, scene: Scene, transition: int | None = None) -> None:
        transport = self._transport()
        await transport.recall_scene(group.address, scene.id, transition)
        self.groups.publisher.scene_called(group, scene.id)
        tt = scene.transitiontime if transition is None else transition
        for light_id, state in scene.states.items():
            try:
                light = self.groups.lights.get(light_id)
            except LightNotFound:
                continue  # deleted since the scene was stored
            values = {k: v for k, v in state.items() if k in SCENE_FIELDS}
            self.groups.lights.group_commanded([light.id], values, tt)

    async def set_light_state(
        self, group: Group, scene: Scene, light: Light, values: dict[str, Any],
        transition: int | None,
    ) -> None:  # fmt: skip
        """ZCL Add Scene in that lamp with these values; the store keeps them too."""
        transport = self._transport()
        state = dict(scene.states.get(light.rid, {}))
        state.update(values)
        if "xy" in values:
            state["colormode"] = "xy"
            state.pop("ct", None)
        elif "ct" in values:
            state["colormode"] = "ct"
            state.pop("xy", None)
        elif "hue" in values or "sat" in values:
            state["colormode"] = "hs"
        if transition is not None:
            scene.transitiontime = transition
        await transport.add_scene(
            light.address, light.caps, group.address, scene.id, scene.name,
            scene.transitiontime, state,
        )  # fmt: skip
        scene.states[light.rid] = state
        await self._save(scene)

    async def delete(self, group: Group, scene: Scene) -> None:
        transport = self.groups.transport
        for light in self.groups.members(group):
            if transport is None:
                break
            try:
                await transport.remove_scene(light.address, group.address, scene.id)
            except RADIO_PROBLEMS as exc:
                log.info("light %s keeps deleted scene %s: %r", light.rid, scene.id, exc)
        group.scenes.pop(scene.id, None)
        await self.groups.lights_store().delete_scene(group.id, scene.id)
        await self.groups.publish_attributes(group)

    async def forget_light(self, light_id: str) -> int:
        """``DELETE /lights/<id>/scenes``: the light leaves every scene it is in."""
        count = 0
        transport = self.groups.transport
        for group in self.groups.all():
            for scene in list(group.scenes.values()):
                if light_id not in scene.states:
                    continue
                scene.states.pop(light_id)
                count += 1
                await self._save(scene)
                try:
                    light = self.groups.lights.get(light_id)
                    if transport is not None:
                        await transport.remove_scene(light.address, group.address, scene.id)
                except Exception as exc:  # best effort, as deCONZ
                    log.info("light %s keeps scene %s: %r", light_id, scene.id, exc)
        return count
