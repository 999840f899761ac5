"""The groups domain: groups of lights, group 0, group actions, scenes.

- ``records``: groups, scenes, the errors and the radio port (:class:`GroupTransport`);
- ``service``: :class:`GroupsService` (groups, group 0, actions, membership bookkeeping);
- ``membership``: writing each lamp's group table now or when it comes back;
- ``following``: group state from the members' reports;
- ``scenes``: :class:`ScenesService`;
- ``rendering`` / ``publishing``: the API's shapes and the websocket events.
"""

from __future__ import annotations

from gateway.domain.groups.records import (
    ALL_GROUP_ADDRESS,
    ALL_GROUP_ID,
    Group,
    GroupNotFound,
    GroupTransport,
    Scene,
    SceneNotFound,
    SceneTableFull,
)
from gateway.domain.groups.scenes import ScenesService
from gateway.domain.groups.service import GroupsService

__all__ = [
    "ALL_GROUP_ADDRESS",
    "ALL_GROUP_ID",
    "Group",
    "GroupNotFound",
    "GroupTransport",
    "GroupsService",
    "Scene",
    "SceneNotFound",
    "SceneTableFull",
    "ScenesService",
]
