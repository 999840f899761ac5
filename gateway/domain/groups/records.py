"""Groups and scenes as the domain keeps them, and the radio port they need.

Why a port of their own: group membership, groupcasts and scenes are Zigbee things (ZCL
Groups and Scenes clusters, APS group addressing), but the rules — who is a member, what
a scene holds, when a lamp that was away gets its membership — are the product's. The
radio side implements :class:`GroupTransport`; the domain never sees zigpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.domain.lights.model import Capabilities, LightAddress, LightCommand

ALL_GROUP_ID = 0
# The Zigbee group address every light joins for group 0 ("All"), as deCONZ does.
ALL_GROUP_ADDRESS = 0xFFF0
MAX_GROUP_ADDRESS = 0xFFF7
MAX_SCENE_ID = 255
GROUP_TYPES = ("LightGroup", "Room", "Zone", "Luminaire", "LightSource", "Entertainment")
ROOM_CLASSES = (
    "Living room", "Kitchen", "Dining", "Bedroom", "Kids bedroom", "Bathroom", "Nursery",
    "Recreation", "Office", "Gym", "Hallway", "Toilet", "Front door", "Garage", "Terrace",
    "Garden", "Driveway", "Carport", "Other", "Home", "Downstairs", "Upstairs", "Top floor",
    "Attic", "Guest room", "Staircase", "Lounge", "Man cave", "Computer", "Studio", "Music",
    "TV", "Reading", "Closet", "Storage", "Laundry room", "Balcony", "Porch", "Barbecue",
    "Pool", "Free",
)  # fmt: skip


class GroupNotFound(Exception):
    """No group with this id (error 3)."""


class SceneNotFound(Exception):
    """No scene with this id in the group (error 3)."""


class SceneTableFull(Exception):
    """All 255 scene ids of the group are used."""


@dataclass
class Scene:
    group_id: int
    id: int
    name: str
    transitiontime: int = 0
    # light id -> the state stored for it (API units: on, bri, xy/ct/hue+sat)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    # what Hue v1 clients keep with it: owner, recycle, appdata, picture, type, lastupdated
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def rid(self) -> str:
        return str(self.id)

    @property
    def hue_id(self) -> str:
        """The id under ``/api/<key>/scenes``: unique across groups, stable (docs/groups.md)."""
        return f"{self.group_id}-{self.id}"


@dataclass
class Group:
    id: int
    name: str
    type: str = "LightGroup"
    group_class: str = ""
    hidden: bool = False
    lights: list[str] = field(default_factory=list)
    action: dict[str, Any] = field(default_factory=dict)
    # lights whose Zigbee membership must still be written ("add") or undone ("remove")
    pending_add: set[str] = field(default_factory=set)
    pending_remove: set[str] = field(default_factory=set)
    scenes: dict[int, Scene] = field(default_factory=dict)

    @property
    def rid(self) -> str:
        return str(self.id)

    @property
    def address(self) -> int:
        """The Zigbee group address: the id, except for group 0."""
        return ALL_GROUP_ADDRESS if self.id == ALL_GROUP_ID else self.id

    def radio_sync(self) -> dict[str, Any]:
        return {"add": sorted(self.pending_add), "remove": sorted(self.pending_remove)}


class GroupTransport(Protocol):
    """What the groups service needs from the radio (``gateway.zigbee.groups``)."""

    def check_ready(self) -> None:
        """Raise RadioUnavailable or RadioBusy if nothing can go out now."""
        ...

    async def add_member(self, address: LightAddress, group: int) -> None:
        """ZCL Groups Add Group; LightUnreachable if the lamp does not answer."""
        ...

    async def remove_member(self, address: LightAddress, group: int) -> None:
        """ZCL Groups Remove Group (absent already counts as done)."""
        ...

    async def memberships(self, address: LightAddress) -> set[int]:
        """ZCL Groups Get Group Membership: every group the lamp is in."""
        ...

    async def send_group(self, group: int, caps: Capabilities, command: LightCommand) -> None:
        """One APS groupcast carrying the command to every member."""
        ...

    async def store_scene(self, address: LightAddress, group: int, scene: int) -> None:
        """ZCL Scenes Store Scene: the lamp records its current state."""
        ...

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
        """ZCL Scenes Add Scene with these values (API units)."""
        ...

    async def remove_scene(self, address: LightAddress, group: int, scene: int) -> None:
        """ZCL Scenes Remove Scene (absent already counts as done)."""
        ...

    async def recall_scene(self, group: int, scene: int, transition: int | None) -> None:
        """One APS groupcast of Recall Scene."""
        ...
