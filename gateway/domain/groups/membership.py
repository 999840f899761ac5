"""Writing group membership into the lamps, now or when they come back.

Why a reconciler instead of fire-and-forget: a lamp that is switched off at the wall
cannot be told it joined a group, yet clients expect the group to work once the lamp is
powered again. So every membership change is recorded as pending (``Group.pending_add`` /
``pending_remove``, stored with the group), tried at once, and retried for a lamp when it
shows up again (any frame from it) and after every radio (re)connect. A retry first asks
the lamp what it has (Get Group Membership), then adds and removes only the difference.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from gateway.domain.groups.records import ALL_GROUP_ADDRESS, Group, GroupTransport
from gateway.domain.lights import LightNotFound, LightsService
from gateway.domain.lights.model import LightRefused, LightUnreachable
from gateway.domain.radio import RadioBusy, RadioUnavailable

log = logging.getLogger(__name__)

RADIO_PROBLEMS = (LightUnreachable, LightRefused, RadioBusy, RadioUnavailable, TimeoutError)


class MembershipSync:
    """Brings each lamp's Zigbee group table in line with the groups it belongs to."""

    def __init__(
        self,
        lights: LightsService,
        groups: Callable[[], list[Group]],
        save: Callable[[Group], Awaitable[None]],
    ) -> None:
        self.transport: GroupTransport | None = None
        # Called once a lamp is in a group's table (the scenes take its state: docs/groups.md)
        self.joined: Callable[[Group, str], Awaitable[None]] | None = None
        self._lights = lights
        self._groups = groups
        self._save = save
        self._confirmed: set[str] = set()  # lights whose table is known to be right
        self._locks: dict[str, asyncio.Lock] = {}

    def desired(self, light_id: str) -> set[int]:
        wanted = {ALL_GROUP_ADDRESS}
        wanted.update(g.address for g in self._groups() if light_id in g.lights)
        return wanted

    def unwanted(self, light_id: str) -> set[int]:
        return {g.address for g in self._groups() if light_id in g.pending_remove}

    def forget_all(self) -> None:
        """After a reconnect nothing is known: a lamp may have been reset meanwhile."""
        self._confirmed.clear()

    def invalidate(self, light_id: str) -> None:
        self._confirmed.discard(light_id)

    def needs_sync(self, light_id: str) -> bool:
        return light_id not in self._confirmed

    async def sync(self, light_id: str) -> bool:
        """Read the lamp's groups and fix them; True when the lamp is now right."""
        transport = self.transport
        if transport is None:
            return False
        lock = self._locks.setdefault(light_id, asyncio.Lock())
        async with lock:
            try:
                light = self._lights.get(light_id)
            except LightNotFound:  # deleted meanwhile
                return False
            try:
                have = await transport.memberships(light.address)
                for address in sorted(self.desired(light_id) - have):
                    await transport.add_member(light.address, address)
                for address in sorted(self.unwanted(light_id) & have):
                    await transport.remove_member(light.address, address)
            except RADIO_PROBLEMS as exc:
                log.info("group membership of light %s left for later: %r", light_id, exc)
                self._confirmed.discard(light_id)
                if isinstance(exc, LightUnreachable):
                    # as for any command: shown unreachable, and its return is noticed
                    self._lights.unreachable(light.address.ieee)
                return False
            self._confirmed.add(light_id)
            for group in self._groups():
                if light_id in group.pending_add or light_id in group.pending_remove:
                    joined = light_id in group.pending_add
                    group.pending_add.discard(light_id)
                    group.pending_remove.discard(light_id)
                    await self._save(group)
                    if joined and self.joined is not None:
                        await self.joined(group, light_id)
            log.info("group membership of light %s is in the lamp", light_id)
            return True

    async def sync_all(self, ready_within: float = 60.0) -> None:
        """Check every lamp not known to be right, once the radio takes commands.

        Called from the radio's connect hook, which runs before the radio is running:
        so this first waits (polling, bounded) until commands can go out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ready_within
        while self.transport is not None:
            try:
                self.transport.check_ready()
                break
            except (RadioBusy, RadioUnavailable):
                if loop.time() > deadline:
                    return
                await asyncio.sleep(0.1)
        for light in self._lights.all():
            if self.needs_sync(light.rid) and self._lights.reachable(light):
                await self.sync(light.rid)
