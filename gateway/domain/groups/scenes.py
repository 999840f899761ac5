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
confirm or correct them. A lamp that joins a group (now, or when it comes back) takes its
current state into every scene of the group, so a scene covers the group as on a Hue
bridge. Hue v1 ids (``"<gid>-<sid>"``, ``Scene.hue_id``) are accepted wherever a scene id
is, and group 0 finds any group's scene by that id (Hue recalls through group 0).
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.clock import utcnow
from gateway.domain.groups.hue_rendering import render_hue_scenes
from gateway.domain.groups.membership import RADIO_PROBLEMS
from gateway.domain.groups.records import (
    ALL_GROUP_ID,
    MAX_SCENE_ID,
    Group,
    GroupNotFound,
    GroupTransport,
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


def _number(text: str) -> int:
    """A canonical decimal id ("1", not "01" or "+1"), or -1."""
    return int(text) if text.isascii() and text.isdigit() and str(int(text)) == text else -1


def split_hue_id(scene_id: str) -> tuple[int, int] | None:
    """``"<gid>-<sid>"`` as numbers, or None for anything else."""
    gid, dash, sid = scene_id.partition("-")
    if not dash or _number(gid) < 0 or _number(sid) < 0:
        return None
    return _number(gid), _number(sid)


class ScenesService:
    def __init__(self, groups: GroupsService) -> None:
        self.groups = groups
        groups.membership.joined = self._member_joined

    def _transport(self) -> GroupTransport:
        transport = self.groups.transport
        if transport is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        transport.check_ready()
        return transport

    def get(self, group: Group, scene_id: str) -> Scene:
        """The group's scene by its deCONZ id ("1") or its Hue id ("<gid>-<sid>")."""
        owner, number = group, _number(scene_id)
        hue = split_hue_id(scene_id)
        if hue is not None:
            gid, number = hue
            if gid != group.id and group.id != ALL_GROUP_ID:
                raise SceneNotFound(scene_id)
            try:
                owner = self.groups.get(gid)
            except GroupNotFound:
                raise SceneNotFound(scene_id) from None
        scene = owner.scenes.get(number)
        if scene is None or owner.id == ALL_GROUP_ID:
            raise SceneNotFound(scene_id)
        return scene

    def find(self, hue_id: str) -> tuple[Group, Scene]:
        """``/scenes/<id>``: the scene and its group by the Hue id."""
        hue = split_hue_id(hue_id)
        if hue is None or hue[0] == ALL_GROUP_ID:
            raise SceneNotFound(hue_id)
        try:
            group = self.groups.get(hue[0])
        except GroupNotFound:
            raise SceneNotFound(hue_id) from None
        return group, self.get(group, hue_id)

    def all(self) -> list[tuple[Group, Scene]]:
        return [(g, s) for g in self.groups.all() for _, s in sorted(g.scenes.items())]

    async def section(self) -> dict[str, Any]:
        """The ``scenes`` of the full state (Hue v1; aiohue reads its scenes from there)."""
        return render_hue_scenes(self.all())

    async def set_meta(self, scene: Scene, changes: dict[str, Any]) -> None:
        """Hue attributes (appdata, picture) the gateway keeps for the client."""
        scene.meta.update(changes)
        await self._save(scene)

    async def _save(self, scene: Scene) -> None:
        scene.meta["lastupdated"] = utcnow().strftime("%Y-%m-%dT%H:%M:%S")
        await self.groups.lights_store().save_scene(
            StoredScene(
                scene.group_id, scene.id, scene.name, scene.transitiontime, scene.states,
                dict(scene.meta),
            )
        )  # fmt: skip

    async def create(
        self, group: Group, name: str, *, lights: list[str] | None = None,
        reuse_name: bool = True, meta: dict[str, Any] | None = None,
        transition: int | None = None,
    ) -> Scene:  # fmt: skip
        """Store the members' (or these lights') current states as a new scene (with that
        ``transition``, 1/10 s, as ``store``).

        deCONZ stores into the scene of that name if there is one (``reuse_name``); a Hue
        bridge always makes a new one.
        """
        if reuse_name:
            for scene in group.scenes.values():
                if scene.name == name:
                    await self.store(group, scene, transition=transition)
                    return scene
        free = next((i for i in range(1, MAX_SCENE_ID + 1) if i not in group.scenes), None)
        if free is None:
            free = await self._recycle(group)
        scene = Scene(group.id, free, name, meta=dict(meta or {}))
        await self.store(group, scene, lights, transition)
        group.scenes[scene.id] = scene
        await self.groups.publish_attributes(group)
        return scene

    async def _recycle(self, group: Group) -> int:
        """A full group makes room as a Hue bridge does: the recyclable scene (Hue's
        ``recycle``) changed longest ago is deleted and its id reused."""
        recyclable = [s for s in group.scenes.values() if s.meta.get("recycle")]
        if not recyclable:
            raise SceneTableFull(group.rid)
        oldest = min(recyclable, key=lambda s: (s.meta.get("lastupdated") or "", s.id))
        log.info("scene %s of group %s recycled", oldest.id, group.rid)
        await self.delete(group, oldest)
        return oldest.id

    async def store(
        self, group: Group, scene: Scene, lights: list[str] | None = None,
        transition: int | None = None,
    ) -> None:  # fmt: skip
        """ZCL Store Scene in every reachable member (or in these lights); the store keeps
        their states.

        With a ``transition`` (1/10 s; Hue's ``transitiontime`` beside ``storelightstate``)
        the scene takes that time: Store Scene keeps a lamp's old transition time (ZCL),
        so each lamp then gets Add Scene with the state just captured and the new time, as
        deCONZ's store brings its lamps' scenes up to date. A lamp that stores but does not
        take the time is left out, as one that does not answer at all.
        """
        self._transport()
        states: dict[str, dict[str, Any]] = {}
        for light in self.groups.members(group):
            if lights is not None and light.rid not in lights:
                continue
            state = await self._capture(group, scene, light, transition)
            if state is not None:
                states[light.rid] = state
        if transition is not None:
            scene.transitiontime = transition
        scene.states = states
        await self._save(scene)

    async def _capture(
        self, group: Group, scene: Scene, light: Light, transition: int | None = None
    ) -> dict[str, Any] | None:
        """ZCL Store Scene in one lamp (then Add Scene with ``transition`` if given): its
        state now, or None if it is away or refuses."""
        if not self.groups.lights.reachable(light):
            return None
        try:
            await self._transport().store_scene(light.address, group.address, scene.id)
            state = scene_state_of(self.groups.lights.api_state(light))
            if transition is not None:
                await self._add_scene(group, scene, light, transition, state)
        except RADIO_PROBLEMS as exc:
            log.info("light %s did not store scene %s: %r", light.rid, scene.id, exc)
            return None
        return state

    async def _add_scene(
        self, group: Group, scene: Scene, light: Light, transition: int,
        state: dict[str, Any],
    ) -> None:  # fmt: skip
        """ZCL Add Scene in one lamp: these values and this transition time (1/10 s)."""
        await self._transport().add_scene(
            light.address, light.caps, group.address, scene.id, scene.name, transition, state
        )

    async def set_lights(self, group: Group, scene: Scene, light_ids: list[str]) -> None:
        """The scene holds these members: the others leave it (Remove Scene in the lamp),
        the new ones are captured as they are now (left out if they do not answer)."""
        transport = self._transport()
        for light_id in [i for i in scene.states if i not in light_ids]:
            scene.states.pop(light_id)
            try:
                light = self.groups.lights.get(light_id)
                await transport.remove_scene(light.address, group.address, scene.id)
            except (*RADIO_PROBLEMS, LightNotFound) as exc:  # best effort, as delete
                log.info("light %s keeps scene %s: %r", light_id, scene.id, exc)
        for light in self.groups.members(group):
            if light.rid in light_ids and light.rid not in scene.states:
                state = await self._capture(group, scene, light)
                if state is not None:
                    scene.states[light.rid] = state
        await self._save(scene)

    async def _member_joined(self, group: Group, light_id: str) -> None:
        """A lamp now in the group's table takes its current state into the group's scenes."""
        try:
            light = self.groups.lights.get(light_id)
        except LightNotFound:
            return
        for scene in list(group.scenes.values()):
            if light_id in scene.states:
                continue
            state = await self._capture(group, scene, light)
            if state is not None:
                scene.states[light_id] = state
                await self._save(scene)

    async def rename(self, group: Group, scene: Scene, name: str) -> None:
        scene.name = name
        await self._save(scene)

    async def recall(self, group: Group, scene: Scene, transition: int | None = None) -> None:
        """One groupcast to the scene's own group (also when asked through group 0)."""
        if scene.group_id != group.id:
            group = self.groups.get(scene.group_id)
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
        tt = scene.transitiontime if transition is None else transition
        await self._add_scene(group, scene, light, tt, state)  # changed once the lamp has it
        scene.transitiontime = tt
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
                except (*RADIO_PROBLEMS, LightNotFound) as exc:  # best effort, as deCONZ
                    log.info("light %s keeps scene %s: %r", light_id, scene.id, exc)
        return count
