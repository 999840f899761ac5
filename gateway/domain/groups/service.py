"""The groups domain: groups of lights, group 0 ("All"), group actions and membership.

Why the rules live here: a group is a set of lights that the lamps themselves know
(ZCL Groups cluster), so one APS groupcast switches all of them together; keeping that
table right in every lamp, following the members' states, and answering as deCONZ and a
Hue bridge do are the product's rules. Scenes are in ``gateway.domain.groups.scenes``.

Choices where the specs are silent (also in docs/groups.md):
- A group's id is its Zigbee group address (as in deCONZ); ids are never reused.
- Group 0 contains every light (Hue), is not listed in ``GET /groups`` (deCONZ), cannot be
  changed or deleted, and uses Zigbee group 0xFFF0, which every light is added to.
- A group action is sent as groupcasts (one per command, same order as a light's PUT) and
  answered once the coordinator confirmed each; members then show the commanded values
  until their reports confirm or correct them. Group actions are not refused for lamps
  that are off (Hue sends ``bri`` to an off group without error 201).
- ``state.any_on`` / ``all_on`` follow the members' reports; unreachable lamps count as off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from gateway.domain.events import EventBus
from gateway.domain.groups.following import follow_lights
from gateway.domain.groups.membership import RADIO_PROBLEMS, MembershipSync
from gateway.domain.groups.publishing import GroupEvents
from gateway.domain.groups.records import (
    ALL_GROUP_ID,
    MAX_GROUP_ADDRESS,
    Group,
    GroupNotFound,
    GroupTransport,
    Scene,
)
from gateway.domain.groups.rendering import group_state, render_group
from gateway.domain.lights import LightNotFound, LightsService, Outcome, ParamResult, StateRequest
from gateway.domain.lights.model import Capabilities, LightAddress
from gateway.domain.lights.planning import plan_steps
from gateway.domain.lights.records import Light
from gateway.domain.radio import RadioBusy, RadioUnavailable
from gateway.store import Store
from gateway.store.groups_repo import GroupsRepository, StoredGroup

log = logging.getLogger(__name__)


def group_capabilities(lights: list[Light]) -> Capabilities:
    """What a groupcast may carry: any member's feature, enhanced hue only if all have it."""
    if not lights:
        return Capabilities(level=True, hue_sat=True, xy=True, ct=True, identify=True)
    colour = [light for light in lights if light.caps.hue_sat]
    return Capabilities(
        level=any(light.caps.level for light in lights),
        hue_sat=bool(colour),
        enhanced_hue=bool(colour) and all(light.caps.enhanced_hue for light in colour),
        xy=any(light.caps.xy for light in lights),
        ct=any(light.caps.ct for light in lights),
        colorloop=any(light.caps.colorloop for light in lights),
        identify=any(light.caps.identify for light in lights),
    )


class GroupsService:
    """Keeps every group in memory, persists each change, publishes ``r: groups`` events."""

    def __init__(
        self,
        store: Store,
        events: EventBus,
        lights: LightsService,
        *,
        transport: GroupTransport | None = None,
        notify_all: Callable[[], bool] = lambda: True,
    ) -> None:
        self._store = store
        self.lights_events = events
        self.lights = lights
        self._groups: dict[int, Group] = {}
        self._all = Group(ALL_GROUP_ID, "All")
        self.publisher = GroupEvents(events, notify_all)
        self.membership = MembershipSync(lights, self.all, self.save)
        self._transport: GroupTransport | None = None
        self.transport = transport
        self._follower: asyncio.Task[None] | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._sync_again = False

    @property
    def transport(self) -> GroupTransport | None:
        return self._transport

    @transport.setter
    def transport(self, transport: GroupTransport | None) -> None:
        self._transport = transport
        self.membership.transport = transport

    # -- life cycle ------------------------------------------------------------------------

    async def load(self) -> None:
        for row in await self._store.groups.all():
            self._groups[row.id] = _from_stored(row)
        for stored in await self._store.groups.scenes():
            group = self._groups.get(stored.group_id)
            if group is not None:
                group.scenes[stored.scene_id] = Scene(
                    stored.group_id,
                    stored.scene_id,
                    stored.name,
                    stored.transitiontime,
                    {k: dict(v) for k, v in stored.states.items()},
                    dict(stored.meta),
                )
        log.info("loaded %d groups", len(self._groups))

    def start(self) -> None:
        """Follow the lights' events: group state, and lamps that come back."""
        self._follower = asyncio.create_task(follow_lights(self), name="groups-follow")

    async def stop(self) -> None:
        for task in (self._follower, self._sync_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def radio_connected(self) -> None:
        """After a (re)connect every lamp's group table is checked once, in the background."""
        self.membership.forget_all()
        self.schedule_sync()

    def schedule_sync(self) -> None:
        """Check the lamps not known to be right; a request during a run makes another run
        (a light added meanwhile was not in the running one's list)."""
        self._sync_again = True
        if self._sync_task is not None and not self._sync_task.done():
            return
        self._sync_task = asyncio.create_task(self._sync_until_settled(), name="groups-sync")

    async def _sync_until_settled(self) -> None:
        while self._sync_again:
            self._sync_again = False
            await self.membership.sync_all()

    # -- queries ---------------------------------------------------------------------------

    def all(self) -> list[Group]:
        """The groups clients made (group 0 is not among them)."""
        return [self._groups[i] for i in sorted(self._groups)]

    def all_lights_group(self) -> Group:
        self._all.lights = [light.rid for light in self.lights.all()]
        return self._all

    def get(self, group_id: str | int) -> Group:
        number = _number(group_id)
        if number == ALL_GROUP_ID:
            return self.all_lights_group()
        group = self._groups.get(number)
        if group is None:
            raise GroupNotFound(str(group_id))
        return group

    def groups_of_light(self, light_id: str) -> list[Group]:
        return [g for g in self.all() if light_id in g.lights]

    def light_state(self, light_id: str) -> dict[str, Any] | None:
        try:
            return self.lights.api_state(self.lights.get(light_id))
        except LightNotFound:
            return None

    def render(self, group: Group) -> dict[str, Any]:
        return render_group(group, self.light_state)

    def render_all(self) -> dict[str, Any]:
        return {g.rid: self.render(g) for g in self.all()}

    async def section(self) -> dict[str, Any]:
        return self.render_all()

    # -- changes from clients --------------------------------------------------------------

    async def create(
        self, name: str, *, type: str = "LightGroup", group_class: str = "",
        lights: list[str] | None = None, hidden: bool = False,
    ) -> Group:  # fmt: skip
        members = list(dict.fromkeys(lights or []))
        row = await self._store.groups.create(
            name=name, type=type, group_class=group_class, hidden=hidden, lights=members,
            action={}, radio_sync={"add": members, "remove": []},
        )  # fmt: skip
        if row.id > MAX_GROUP_ADDRESS:  # pragma: no cover - 65 527 groups
            await self._store.groups.delete(row.id)
            raise GroupNotFound("no free group address")
        group = _from_stored(row)
        self._groups[group.id] = group
        self.publisher.added(group, self.render(group))
        self.publisher.remember(group, group_state(group, self.light_state))
        log.info("group %s (%s) created with lights %s", group.rid, name, members)
        await self._write_membership(group, members)
        return group

    async def update(
        self, group: Group, *, name: str | None = None, lights: list[str] | None = None,
        hidden: bool | None = None, group_class: str | None = None,
    ) -> None:  # fmt: skip
        changed_lights: list[str] = []
        if name is not None:
            group.name = name
        if hidden is not None:
            group.hidden = hidden
        if group_class is not None:
            group.group_class = group_class
        if lights is not None:
            members = list(dict.fromkeys(lights))
            added = [i for i in members if i not in group.lights]
            removed = [i for i in group.lights if i not in members]
            group.lights = members
            group.pending_add.update(added)
            group.pending_add.difference_update(removed)
            group.pending_remove.update(removed)
            group.pending_remove.difference_update(added)
            changed_lights = added + removed
        await self.save(group)
        self.publisher.attributes(group)
        self.publisher.state(group, group_state(group, self.light_state))  # members changed
        await self._write_membership(group, changed_lights)

    async def delete(self, group: Group) -> None:
        await self._store.groups.delete(group.id)
        self._groups.pop(group.id, None)
        self.publisher.deleted(group)
        transport = self.transport
        for light_id in group.lights:
            try:
                light = self.lights.get(light_id)
                if transport is not None:
                    for scene_id in list(group.scenes):
                        await transport.remove_scene(light.address, group.address, scene_id)
                    await transport.remove_member(light.address, group.address)
            except (*RADIO_PROBLEMS, LightNotFound) as exc:  # best effort: the group is gone
                log.info("light %s keeps deleted group %s for now: %r", light_id, group.rid, exc)
        log.info("group %s deleted", group.rid)

    async def forget_light(self, light_id: str) -> list[Group]:
        """``DELETE /lights/<id>/groups``: the light leaves every group it is in."""
        left = self.groups_of_light(light_id)
        for group in left:
            await self.update(group, lights=[i for i in group.lights if i != light_id])
        return left

    def lights_store(self) -> GroupsRepository:
        """The groups repository (scenes are stored with their group)."""
        return self._store.groups

    async def publish_attributes(self, group: Group) -> None:
        self.publisher.attributes(group)

    async def save(self, group: Group) -> None:
        if group.id == ALL_GROUP_ID:
            return
        await self._store.groups.update(
            group.id, name=group.name, type=group.type, group_class=group.group_class,
            hidden=group.hidden, lights=list(group.lights), action=dict(group.action),
            radio_sync=group.radio_sync(),
        )  # fmt: skip

    async def _write_membership(self, group: Group, light_ids: list[str]) -> None:
        """Try the lamps now; those that do not answer are fixed when they come back."""
        for light_id in light_ids:
            self.membership.invalidate(light_id)
            try:
                light = self.lights.get(light_id)
            except LightNotFound:
                continue
            if self.transport is not None and self.lights.reachable(light):
                await self.membership.sync(light_id)

    # -- group action ----------------------------------------------------------------------

    def members(self, group: Group) -> list[Light]:
        found = []
        for light_id in group.lights:
            try:
                found.append(self.lights.get(light_id))
            except LightNotFound:
                continue
        return found

    async def set_action(self, group: Group, request: StateRequest) -> list[ParamResult]:
        """``PUT /groups/<id>/action``: groupcasts in a light's command order."""
        transport = self.transport
        if transport is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        transport.check_ready()
        members = self.members(group)
        caps = group_capabilities(members)
        params = dict(request.params)
        probe = Light(0, _NO_ADDRESS, "", "", "", "", "", caps, {})
        results: dict[str, ParamResult] = {}
        failure: tuple[Outcome, str] | None = None
        applied: dict[str, Any] = {}
        for step in plan_steps(probe, params, request):
            if failure is None:
                try:
                    await transport.send_group(group.address, caps, step.command)
                except RadioBusy as exc:
                    failure = (Outcome.RADIO_BUSY, exc.operation)
                except RadioUnavailable as exc:
                    failure = (Outcome.RADIO_DOWN, str(exc) or "Not connected")
            for name in step.names:
                if failure is not None:
                    results[name] = ParamResult(name, params[name], failure[0], failure[1])
                else:
                    results[name] = ParamResult(name, step.applied.get(name, params[name]))
            if failure is None:
                applied.update(step.applied)
        if applied:
            group.action.update({k: v for k, v in applied.items() if k != "alert"})
            await self.save(group)
            self.lights.group_commanded([m.id for m in members], applied, request.transition)
        return [results[name] for name, _ in request.params if name in results]


# plan_steps plans for "a light"; a group is planned as a light with the group's features.
_NO_ADDRESS = LightAddress("00:00:00:00:00:00:00:00", 0)


def _number(group_id: str | int) -> int:
    if isinstance(group_id, int):
        return group_id
    if group_id.isascii() and group_id.isdigit() and str(int(group_id)) == group_id:
        return int(group_id)
    return -1


def _from_stored(row: StoredGroup) -> Group:
    return Group(
        id=row.id,
        name=row.name,
        type=row.type,
        group_class=row.group_class,
        hidden=row.hidden,
        lights=list(row.lights),
        action=dict(row.action),
        pending_add=set(row.radio_sync.get("add", [])),
        pending_remove=set(row.radio_sync.get("remove", [])),
    )
