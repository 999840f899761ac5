"""The Scenes server of a lamp or plug (ZCL 8 §3.7): a scene table per endpoint.

Why statuses matter here: deCONZ and Hue bridges check every Add/Store/Remove response
and retry or give up by status, so each command answers with the status the ZCL names
for its case: INVALID_FIELD for a group the endpoint is not a member of (group 0 is
always allowed), NOT_FOUND for a missing scene, INSUFFICIENT_SPACE when the table is
full. The table lives on the endpoint (:attr:`SimEndpoint.scenes`) and is persisted with
the device, so scenes survive power cycles and emulator restarts like a lamp's flash.
"""

from __future__ import annotations

import contextlib
from typing import Any

from zigpy.zcl.clusters.general import Scenes
from zigpy.zcl.foundation import Status

from . import scene_fields
from .cluster import ClusterServer, handles
from .general import response
from .scene_apply import capture, recall
from .scene_fields import Scene
from .zcl import Reply, ZclRequest

Out = Scenes.ClientCommandDefs
NAMES_SUPPORTED = 0x80


class ScenesServer(ClusterServer):
    definition = Scenes
    CAPACITY = 16

    def __init__(self, endpoint: Any) -> None:
        super().__init__(endpoint)
        self._tail = b""

    def initial_values(self) -> dict[str, Any]:
        return {"current_scene": 0, "current_group": 0, "name_support": NAMES_SUPPORTED}

    def computed(self, name: str) -> Any:
        if name == "count":
            return len(self.endpoint.scenes)
        if name == "scene_valid":
            return self._valid()
        return None

    def _valid(self) -> bool:
        """True while the lamp still shows the scene last stored or recalled."""
        key = (int(self.values["current_group"]), int(self.values["current_scene"]))
        scene = self.endpoint.scenes.get(key)
        if scene is None or not self.values.get("_recalled"):
            return False
        now = capture(self.endpoint)
        return all(
            now.get(cluster, {}).get(name) == value
            for cluster, values in (scene.fields or {}).items()
            for name, value in values.items()
            if name in now.get(cluster, {})
        )

    def handle(self, request: ZclRequest) -> Reply:
        """Keeps the bytes after zigpy's schema: Add Scene carries its extension field
        sets there."""
        entry = self.commands.get(request.command_id)
        self._tail = b""
        if entry is not None and request.manufacturer is None:
            with contextlib.suppress(ValueError, KeyError):
                _, self._tail = entry[0].schema.deserialize(request.payload)
        return super().handle(request)

    def snapshot(self) -> dict[str, Any]:
        values = super().snapshot()
        values.pop("_recalled", None)
        return values

    # -- helpers --------------------------------------------------------------------------
    def _group_ok(self, group: int) -> bool:
        return group == 0 or group in self.endpoint.groups

    def _full_for(self, key: tuple[int, int]) -> bool:
        return key not in self.endpoint.scenes and len(self.endpoint.scenes) >= self.CAPACITY

    def _add(self, args: Any, tenths: int, definition: Any) -> Reply:
        group, scene_id = int(args.group_id), int(args.scene_id)
        reply = {"group_id": args.group_id, "scene_id": args.scene_id}
        try:
            sets = scene_fields.parse(self._tail)
        except scene_fields.FieldSetError:
            return Status.MALFORMED_COMMAND
        if not self._group_ok(group):
            return response(definition, status=Status.INVALID_FIELD, **reply)
        if self._full_for((group, scene_id)):
            return response(definition, status=Status.INSUFFICIENT_SPACE, **reply)
        have = set(self.endpoint.clusters)
        fields = {s.cluster: s.as_dict() for s in sets if s.cluster in have and s.values}
        self.endpoint.scenes[(group, scene_id)] = Scene(
            group, scene_id, str(args.scene_name), tenths, fields, _mode_of(fields)
        )
        return response(definition, status=Status.SUCCESS, **reply)

    def _view(self, args: Any, enhanced: bool) -> Reply:
        definition = Out.enhanced_view_response if enhanced else Out.view_response
        group, scene_id = int(args.group_id), int(args.scene_id)
        head = {"group_id": args.group_id, "scene_id": args.scene_id}
        if not self._group_ok(group):
            return response(definition, status=Status.INVALID_FIELD, **head)
        scene = self.endpoint.scenes.get((group, scene_id))
        if scene is None:
            return response(definition, status=Status.NOT_FOUND, **head)
        time = scene.transition if enhanced else scene.transition // 10
        reply = response(
            definition,
            status=Status.SUCCESS,
            transition_time=min(time, 0xFFFF),
            scene_name=scene.name,
            **head,
        )
        tail = scene_fields.encode(scene.field_sets())
        return type(reply)(reply.command_id, reply.payload + tail)

    # -- commands -------------------------------------------------------------------------
    @handles(Scenes.ServerCommandDefs.add)
    def add(self, args: Any) -> Reply:
        return self._add(args, int(args.transition_time) * 10, Out.add_scene_response)

    @handles(Scenes.ServerCommandDefs.enhanced_add)
    def enhanced_add(self, args: Any) -> Reply:
        return self._add(args, int(args.transition_time), Out.enhanced_add_response)

    @handles(Scenes.ServerCommandDefs.view)
    def view(self, args: Any) -> Reply:
        return self._view(args, enhanced=False)

    @handles(Scenes.ServerCommandDefs.enhanced_view)
    def enhanced_view(self, args: Any) -> Reply:
        return self._view(args, enhanced=True)

    @handles(Scenes.ServerCommandDefs.remove)
    def remove(self, args: Any) -> Reply:
        group, scene_id = int(args.group_id), int(args.scene_id)
        head = {"group_id": args.group_id, "scene_id": args.scene_id}
        if not self._group_ok(group):
            return response(Out.remove_scene_response, status=Status.INVALID_FIELD, **head)
        if self.endpoint.scenes.pop((group, scene_id), None) is None:
            return response(Out.remove_scene_response, status=Status.NOT_FOUND, **head)
        return response(Out.remove_scene_response, status=Status.SUCCESS, **head)

    @handles(Scenes.ServerCommandDefs.remove_all)
    def remove_all(self, args: Any) -> Reply:
        group = int(args.group_id)
        if not self._group_ok(group):
            status = Status.INVALID_FIELD
        else:
            self.endpoint.drop_scenes(group)
            status = Status.SUCCESS
        return response(Out.remove_all_scenes_response, status=status, group_id=args.group_id)

    @handles(Scenes.ServerCommandDefs.store)
    def store(self, args: Any) -> Reply:
        group, scene_id = int(args.group_id), int(args.scene_id)
        head = {"group_id": args.group_id, "scene_id": args.scene_id}
        if not self._group_ok(group):
            return response(Out.store_scene_response, status=Status.INVALID_FIELD, **head)
        if self._full_for((group, scene_id)):
            return response(Out.store_scene_response, status=Status.INSUFFICIENT_SPACE, **head)
        old = self.endpoint.scenes.get((group, scene_id))
        fields = capture(self.endpoint)
        self.endpoint.scenes[(group, scene_id)] = Scene(
            group,
            scene_id,
            old.name if old else "",
            old.transition if old else 0,
            fields,
            self.endpoint.value(scene_fields.COLOR, "color_mode"),
        )
        self._now_showing(group, scene_id)
        return response(Out.store_scene_response, status=Status.SUCCESS, **head)

    @handles(Scenes.ServerCommandDefs.recall)
    def recall(self, args: Any) -> Reply:
        group, scene_id = int(args.group_id), int(args.scene_id)
        if not self._group_ok(group):
            return Status.INVALID_FIELD
        scene = self.endpoint.scenes.get((group, scene_id))
        if scene is None:
            return Status.NOT_FOUND
        asked = getattr(args, "transition_time", None)
        tenths = scene.transition if asked is None or int(asked) == 0xFFFF else int(asked)
        recall(self.endpoint, scene, tenths / 10)
        self._now_showing(group, scene_id)
        return Status.SUCCESS

    @handles(Scenes.ServerCommandDefs.get_scene_membership)
    def get_scene_membership(self, args: Any) -> Reply:
        group = int(args.group_id)
        free = self.CAPACITY - len(self.endpoint.scenes)
        definition = Out.get_scene_membership_response
        if not self._group_ok(group):
            return response(
                definition, status=Status.INVALID_FIELD, capacity=free, group_id=args.group_id
            )
        ids = sorted(s for g, s in self.endpoint.scenes if g == group)
        return response(
            definition, status=Status.SUCCESS, capacity=free, group_id=args.group_id, scenes=ids
        )

    # -- current scene ---------------------------------------------------------------------
    def _now_showing(self, group: int, scene_id: int) -> None:
        self.values.update(current_group=group, current_scene=scene_id, _recalled=True)

    def restore(self, values: dict[str, Any]) -> None:
        super().restore(values)
        self.values["_recalled"] = bool(values.get("_recalled", False))


def _mode_of(fields: dict[int, dict[str, int]]) -> int | None:
    """Which colour an added scene means (ZCL colour modes 0 hs, 1 xy, 2 ct): a colour
    temperature with no xy point is ct, any xy point is xy, else hue/saturation if
    given, else a lone colour temperature."""
    color = fields.get(scene_fields.COLOR)
    if not color:
        return None
    has_xy = bool(color.get("current_x") or color.get("current_y"))
    if color.get("color_temperature") and not has_xy:
        return 2
    if has_xy:
        return 1
    if color.get("enhanced_current_hue") or color.get("current_saturation"):
        return 0
    return None
