"""The groups follow the lights: group state from member reports, fix-ups for lamps back.

Why through the event bus: the lights service already publishes every change of every
light (from clients and from reports); listening there keeps ``LightsService`` free of
group knowledge. Each light event re-computes the state of the groups the light is in
(and group 0) and publishes a group event when ``all_on`` / ``any_on`` changed. A light
that becomes reachable again, or a new light, gets its group table checked.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from gateway.domain.events import SubscriptionClosed
from gateway.domain.groups.rendering import group_state

if TYPE_CHECKING:
    from gateway.domain.groups.service import GroupsService

log = logging.getLogger(__name__)
QUEUE = 4096


async def follow_lights(service: GroupsService) -> None:
    """Run until cancelled; a subscription closed for overflow is renewed."""
    for group in [service.all_lights_group(), *service.all()]:
        service.publisher.remember(group, group_state(group, service.light_state))
    while True:
        subscription = service.lights_events.subscribe(QUEUE)
        try:
            while True:
                event = await subscription.get()
                on_light_event(service, event)
        except SubscriptionClosed:
            log.warning("group state follower fell behind; re-reading every group")
            for group in [service.all_lights_group(), *service.all()]:
                service.publisher.state(group, group_state(group, service.light_state))
        finally:
            subscription.close()


def on_light_event(service: GroupsService, event: dict[str, Any]) -> None:
    if event.get("r") != "lights":
        return
    light_id = str(event.get("id", ""))
    kind = event.get("e")
    if kind in ("added", "deleted") or "state" in event:
        for group in [service.all_lights_group(), *service.groups_of_light(light_id)]:
            service.publisher.state(group, group_state(group, service.light_state))
    state = event.get("state") or {}
    came_back = state.get("reachable") is True and service.membership.needs_sync(light_id)
    if kind == "added" or came_back:
        service.schedule_sync()
