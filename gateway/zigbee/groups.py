"""Groups and scenes over zigpy: membership in each lamp, groupcasts, ZCL scenes.

Why here: this module implements :class:`gateway.domain.groups.GroupTransport` — the
domain decides who is in which group and what a scene holds; this is where that becomes
ZCL Groups / Scenes commands to one lamp, or one APS group-addressed frame (zigpy's
``Group`` endpoint) that every member hears at once.

Membership commands and scene commands to one lamp wait for the lamp's ZCL response (the
status tells whether the table took it). Groupcasts are not answered by lamps; they
count as sent once the coordinator confirmed the frame (``AF.DataConfirm``), as deCONZ.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Mapping
from typing import Any, cast

import zigpy.device
import zigpy.endpoint
import zigpy.exceptions
import zigpy.group
import zigpy.types as zt
import zigpy.zcl
from zigpy.zcl import foundation
from zigpy.zcl.clusters.general import Groups, Scenes

from gateway.domain.lights import colors
from gateway.domain.lights.model import (
    Capabilities,
    LightAddress,
    LightCommand,
    LightRefused,
    LightUnreachable,
)
from gateway.domain.radio import RadioBusy, RadioUnavailable
from gateway.zigbee import zcl_commands
from gateway.zigbee.delivery import radio_call
from gateway.zigbee.supervisor import RadioSupervisor

log = logging.getLogger(__name__)

ON_OFF, LEVEL, COLOR = 0x0006, 0x0008, 0x0300
Status = foundation.Status
DONE_ADD = (Status.SUCCESS, Status.DUPLICATE_EXISTS)
DONE_REMOVE = (Status.SUCCESS, Status.NOT_FOUND)


class AddSceneRequest(zt.Struct):
    """Scenes Add Scene with extension field sets (zigpy's schema stops at the name)."""

    group_id: zt.Group
    scene_id: zt.uint8_t
    transition_time: zt.uint16_t
    scene_name: zt.LimitedCharString(16)  # type: ignore[valid-type]
    extension_field_sets: zt.SerializableBytes


def extension_fields(caps: Capabilities, state: Mapping[str, Any]) -> bytes:
    """The field sets for a scene state in API units (ZCL 8 §3.7.2.4.2)."""
    out = struct.pack("<HBB", ON_OFF, 1, 1 if state.get("on") else 0)
    if caps.level and "bri" in state:
        out += struct.pack("<HBB", LEVEL, 1, colors.bri_to_level(int(state["bri"])))
    if not caps.has_color:
        return out
    x = y = hue = sat = ct = 0
    if "xy" in state and caps.xy:
        x, y = colors.xy_to_zcl(float(state["xy"][0]), float(state["xy"][1]))
    elif "ct" in state and caps.ct:
        ct = int(state["ct"])
    elif caps.hue_sat and ("hue" in state or "sat" in state):
        hue = colors.hue_to_enhanced(int(state.get("hue", 0)))
        sat = colors.sat_to_zcl(int(state.get("sat", 0)))
    else:
        return out
    color = struct.pack("<HHHBBBHH", x, y, hue, sat, 0, 0, 0, ct)
    return out + struct.pack("<HB", COLOR, len(color)) + color


class _GroupClusters:
    """``in_clusters`` of a zigpy group endpoint, so ``zcl_commands.execute`` can groupcast."""

    def __init__(self, group: zigpy.group.Group) -> None:
        self._endpoint = group.endpoint

    def __getitem__(self, cluster_id: int) -> zigpy.zcl.Cluster:
        return cast(zigpy.zcl.Cluster, self._endpoint[cluster_id])


class _GroupTarget:
    def __init__(self, group: zigpy.group.Group) -> None:
        self.in_clusters = _GroupClusters(group)


class ZigbeeGroups:
    """GroupTransport over zigpy."""

    def __init__(self, supervisor: RadioSupervisor, *, retries: int = 1) -> None:
        self.supervisor = supervisor
        self._retries = retries

    # -- helpers --------------------------------------------------------------------------

    def check_ready(self) -> None:
        self.supervisor.check_ready()

    def _tsn(self) -> int:
        return self.supervisor.application.get_sequence()

    def _endpoint(self, address: LightAddress) -> zigpy.endpoint.Endpoint:
        app = self.supervisor.application
        device = app.devices.get(zt.EUI64.convert(address.ieee))
        if not isinstance(device, zigpy.device.Device):
            raise LightUnreachable(f"{address.uniqueid} is not in the Zigbee network")
        endpoint = device.endpoints.get(address.endpoint)
        if not isinstance(endpoint, zigpy.endpoint.Endpoint):
            raise LightUnreachable(f"{address.uniqueid} has no such endpoint")
        return endpoint

    def _group(self, group: int) -> zigpy.group.Group:
        return self.supervisor.application.groups.add_group(group, suppress_event=True)

    def _radio_problem(self, exc: BaseException, address: LightAddress | None) -> Exception:
        if not self.supervisor.reachable:
            return RadioUnavailable("Not connected")
        if self.supervisor.busy is not None:
            return RadioBusy(self.supervisor.busy)
        if address is None:
            return LightRefused(f"radio refused the groupcast: {exc!r}")
        return LightUnreachable(f"{address.uniqueid}: {exc!r}")

    async def _ask(
        self, address: LightAddress, cluster_id: int, command: str, **kwargs: Any
    ) -> Any:
        """One ZCL command to one lamp, answered by the lamp's response (or Default Response)."""
        self.supervisor.check_ready()
        endpoint = self._endpoint(address)
        cluster = endpoint.in_clusters.get(cluster_id)
        if cluster is None:
            raise LightRefused(f"{address.uniqueid} has no cluster 0x{cluster_id:04x}")
        try:
            with radio_call(self.supervisor, f"{address.uniqueid}: {command}"):
                return await getattr(cluster, command)(tsn=self._tsn(), **kwargs)
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            raise self._radio_problem(exc, address) from exc

    @staticmethod
    def _status(response: Any) -> int:
        status = getattr(response, "status", None)
        if status is None and isinstance(response, list | tuple) and response:
            status = response[0]
        return int(status) if status is not None else int(Status.SUCCESS)

    def _check(
        self, address: LightAddress, what: str, response: Any, ok: tuple[Status, ...]
    ) -> None:
        status = self._status(response)
        if status not in {int(s) for s in ok}:
            raise LightRefused(f"{address.uniqueid}: {what}: status 0x{status:02x}")

    # -- membership -----------------------------------------------------------------------

    async def add_member(self, address: LightAddress, group: int) -> None:
        response = await self._ask(address, Groups.cluster_id, "add", group_id=group, group_name="")
        self._check(address, f"add group 0x{group:04x}", response, DONE_ADD)
        self._group(group).add_member(self._endpoint(address), suppress_event=True)
        log.info("light %s is in group 0x%04x", address.uniqueid, group)

    async def remove_member(self, address: LightAddress, group: int) -> None:
        response = await self._ask(address, Groups.cluster_id, "remove", group_id=group)
        self._check(address, f"remove group 0x{group:04x}", response, DONE_REMOVE)
        groups = self.supervisor.application.groups
        if group in groups:
            groups[group].remove_member(self._endpoint(address), suppress_event=True)

    async def memberships(self, address: LightAddress) -> set[int]:
        response = await self._ask(address, Groups.cluster_id, "get_membership", groups=[])
        found = getattr(response, "groups", None)
        if found is None:
            raise LightRefused(f"{address.uniqueid}: get group membership: {response!r}")
        return {int(g) for g in found}

    # -- groupcasts -----------------------------------------------------------------------

    async def send_group(self, group: int, caps: Capabilities, command: LightCommand) -> None:
        self.supervisor.check_ready()
        target = cast(zigpy.endpoint.Endpoint, _GroupTarget(self._group(group)))
        try:
            with radio_call(self.supervisor, f"group 0x{group:04x}: {command}"):
                await zcl_commands.execute(target, caps, command, self._tsn, retries=self._retries)
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            raise self._radio_problem(exc, None) from exc

    async def recall_scene(self, group: int, scene: int, transition: int | None) -> None:
        self.supervisor.check_ready()
        cluster = self._group(group).endpoint[Scenes.cluster_id]
        kwargs: dict[str, Any] = {"group_id": group, "scene_id": scene}
        if transition is not None:
            kwargs["transition_time"] = transition
        try:
            with radio_call(self.supervisor, f"group 0x{group:04x}: recall scene {scene}"):
                await cluster.recall(
                    tsn=self._tsn(), expect_reply=False, disable_default_response=True, **kwargs
                )
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            raise self._radio_problem(exc, None) from exc

    # -- scenes in one lamp ---------------------------------------------------------------

    async def store_scene(self, address: LightAddress, group: int, scene: int) -> None:
        response = await self._ask(
            address, Scenes.cluster_id, "store", group_id=group, scene_id=scene
        )
        self._check(address, f"store scene {scene}", response, (Status.SUCCESS,))

    async def add_scene(
        self,
        address: LightAddress,
        caps: Capabilities,
        group: int,
        scene: int,
        name: str,
        transition: int,
        state: dict[str, Any],
    ) -> None:
        self.supervisor.check_ready()
        cluster = self._endpoint(address).in_clusters.get(Scenes.cluster_id)
        if cluster is None:
            raise LightRefused(f"{address.uniqueid} has no Scenes cluster")
        seconds = min(0xFFFF, max(0, transition // 10))
        fields = extension_fields(caps, state)
        try:
            with radio_call(self.supervisor, f"{address.uniqueid}: add scene {scene}"):
                response = await cluster.request(
                    False,
                    Scenes.ServerCommandDefs.add.id,
                    AddSceneRequest,
                    group_id=group,
                    scene_id=scene,
                    transition_time=seconds,
                    scene_name=name[:16],
                    extension_field_sets=zt.SerializableBytes(fields),
                    tsn=self._tsn(),
                )
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            raise self._radio_problem(exc, address) from exc
        self._check(address, f"add scene {scene}", response, (Status.SUCCESS,))

    async def remove_scene(self, address: LightAddress, group: int, scene: int) -> None:
        response = await self._ask(
            address, Scenes.cluster_id, "remove", group_id=group, scene_id=scene
        )
        self._check(address, f"remove scene {scene}", response, DONE_REMOVE)
