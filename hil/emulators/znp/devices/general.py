"""General clusters of a simulated lamp or plug: Basic, Identify, Groups, On/Off."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation as f
from zigpy.zcl.clusters.general import Basic, Groups, Identify, OnOff, Ota
from zigpy.zcl.foundation import Status

from .cluster import ClusterServer, handles
from .zcl import ClusterResponse, Reply

# Identify effect ids (ZCL 3.5.2.3.3) and how long a lamp shows each.
EFFECTS: dict[int, tuple[str, float]] = {
    0x00: ("blink", 1.0),
    0x01: ("breathe", 15.0),
    0x02: ("okay", 1.5),
    0x0B: ("channel_change", 8.0),
}
FINISH_EFFECT, STOP_EFFECT = 0xFE, 0xFF


GroupsOut = Groups.ClientCommandDefs


def response(definition: f.ZCLCommandDef, **fields: Any) -> ClusterResponse:
    """A cluster-specific response built with zigpy's schema for that command."""
    return ClusterResponse(int(definition.id), bytes(definition.schema(**fields).serialize()))


class BasicServer(ClusterServer):
    definition = Basic

    def initial_values(self) -> dict[str, Any]:
        spec = self.endpoint.device.spec
        return {
            "zcl_version": 8,
            "app_version": 2,
            "stack_version": 1,
            "hw_version": 1,
            "manufacturer": spec.manufacturer,
            "model": spec.model,
            "date_code": spec.date_code,
            "power_source": spec.power_source,
            "generic_device_class": 0x00,  # lighting
            "sw_build_id": spec.sw_build,
        }

    def restore(self, values: dict[str, Any]) -> None:
        """Identity comes from the spec, never from a saved state file."""


class IdentifyServer(ClusterServer):
    definition = Identify
    writable = frozenset({"identify_time"})

    def computed(self, name: str) -> Any:
        if name == "identify_time":
            return math.ceil(max(0.0, self.endpoint.identify_until - self.endpoint.now()))
        return None

    def on_write(self, name: str, value: Any) -> None:
        self.endpoint.identify(float(value))

    @handles(Identify.ServerCommandDefs.identify)
    def identify(self, args: Any) -> Reply:
        self.endpoint.identify(float(args.identify_time))
        return Status.SUCCESS

    @handles(Identify.ServerCommandDefs.identify_query)
    def identify_query(self, args: Any) -> Reply:
        if not self.endpoint.identifying():
            return Status.SUCCESS
        return response(
            Identify.ClientCommandDefs.identify_query_response,
            timeout=self.computed("identify_time"),
        )

    @handles(Identify.ServerCommandDefs.trigger_effect)
    def trigger_effect(self, args: Any) -> Reply:
        effect = int(args.effect_id)
        if effect in (FINISH_EFFECT, STOP_EFFECT):
            self.endpoint.identify(0)
            return Status.SUCCESS
        name, seconds = EFFECTS.get(effect, (f"effect_0x{effect:02x}", 1.0))
        self.endpoint.identify(seconds, effect=name)
        return Status.SUCCESS


class GroupsServer(ClusterServer):
    definition = Groups
    CAPACITY = 16

    def initial_values(self) -> dict[str, Any]:
        return {"name_support": 0}

    @handles(Groups.ServerCommandDefs.add)
    def add(self, args: Any) -> Reply:
        status = self._add(int(args.group_id), str(args.group_name))
        return response(GroupsOut.add_response, status=status, group_id=args.group_id)

    @handles(Groups.ServerCommandDefs.add_if_identifying)
    def add_if_identifying(self, args: Any) -> Reply:
        if self.endpoint.identifying():
            self._add(int(args.group_id), str(args.group_name))
        return Status.SUCCESS

    @handles(Groups.ServerCommandDefs.view)
    def view(self, args: Any) -> Reply:
        name = self.endpoint.groups.get(int(args.group_id))
        status = Status.SUCCESS if name is not None else Status.NOT_FOUND
        return response(
            GroupsOut.view_response, status=status, group_id=args.group_id, group_name=name or ""
        )

    @handles(Groups.ServerCommandDefs.get_membership)
    def get_membership(self, args: Any) -> Reply:
        asked = [int(g) for g in args.groups]
        mine = sorted(self.endpoint.groups)
        found = [g for g in mine if g in asked] if asked else mine
        free = self.CAPACITY - len(self.endpoint.groups)
        return response(GroupsOut.get_membership_response, capacity=free, groups=found)

    @handles(Groups.ServerCommandDefs.remove)
    def remove(self, args: Any) -> Reply:
        removed = self.endpoint.groups.pop(int(args.group_id), None) is not None
        self.endpoint.drop_scenes(int(args.group_id))
        status = Status.SUCCESS if removed else Status.NOT_FOUND
        return response(GroupsOut.remove_response, status=status, group_id=args.group_id)

    @handles(Groups.ServerCommandDefs.remove_all)
    def remove_all(self, args: Any) -> Reply:
        for group in list(self.endpoint.groups):
            self.endpoint.drop_scenes(group)
        self.endpoint.groups.clear()
        return Status.SUCCESS

    def _add(self, group: int, name: str) -> Status:
        if group in self.endpoint.groups:
            return Status.DUPLICATE_EXISTS
        if len(self.endpoint.groups) >= self.CAPACITY or not 0x0001 <= group <= 0xFFF7:
            return Status.INSUFFICIENT_SPACE if group else Status.INVALID_VALUE
        self.endpoint.groups[group] = name
        return Status.SUCCESS


class OnOffServer(ClusterServer):
    definition = OnOff
    writable = frozenset({"on_time", "off_wait_time", "start_up_on_off"})
    reportable = ("on_off",)

    def initial_values(self) -> dict[str, Any]:
        return {
            "on_off": True,
            "global_scene_control": True,
            "on_time": 0,
            "off_wait_time": 0,
            "start_up_on_off": 0xFF,  # previous state
        }

    def __init__(self, endpoint: Any) -> None:
        super().__init__(endpoint)
        self._timed_off: asyncio.TimerHandle | None = None

    def switch(self, on: bool) -> None:
        """Turns the load on or off (used by Level's *_with_on_off commands too)."""
        if self._timed_off is not None:
            self._timed_off.cancel()
            self._timed_off = None
        if bool(self.values["on_off"]) != on:
            self.set("on_off", on)

    @handles(OnOff.ServerCommandDefs.on)
    def on(self, args: Any) -> Reply:
        self.switch(True)
        return Status.SUCCESS

    @handles(OnOff.ServerCommandDefs.off)
    def off(self, args: Any) -> Reply:
        self.switch(False)
        return Status.SUCCESS

    @handles(OnOff.ServerCommandDefs.toggle)
    def toggle(self, args: Any) -> Reply:
        self.switch(not self.values["on_off"])
        return Status.SUCCESS

    @handles(OnOff.ServerCommandDefs.off_with_effect)
    def off_with_effect(self, args: Any) -> Reply:
        self.switch(False)
        return Status.SUCCESS

    @handles(OnOff.ServerCommandDefs.on_with_recall_global_scene)
    def on_with_recall_global_scene(self, args: Any) -> Reply:
        self.switch(True)
        return Status.SUCCESS

    @handles(OnOff.ServerCommandDefs.on_with_timed_off)
    def on_with_timed_off(self, args: Any) -> Reply:
        self.switch(True)
        self.values["on_time"] = int(args.on_time)
        if args.on_time:
            loop = asyncio.get_running_loop()
            self._timed_off = loop.call_later(args.on_time / 10, self.switch, False)
        return Status.SUCCESS


class OtaClient(ClusterServer):
    """The OTA *client* cluster a lamp carries: zigpy reads its file version during the
    interview. Image Notify is ignored (a client may, per the jitter rules); no image
    transfer is simulated."""

    definition = Ota

    def initial_values(self) -> dict[str, Any]:
        spec = self.endpoint.device.spec
        return {
            "upgrade_server_id": zt.EUI64.convert("FF:FF:FF:FF:FF:FF:FF:FF"),
            "current_file_version": 0x01000000,
            "current_zigbee_stack_version": 2,
            "image_upgrade_status": 0,
            "manufacturer_id": spec.manufacturer_code,
            "image_type_id": 0x0100,
        }

    @handles(Ota.ClientCommandDefs.image_notify)
    def image_notify(self, args: Any) -> Reply:
        return None

    def restore(self, values: dict[str, Any]) -> None:
        """Firmware identity comes from the spec, not the state file."""
