"""Which class serves which cluster on a simulated lamp or plug.

Why a table of its own: the device builds its endpoint from it, and the sensors reuse
part of it; neither needs to know where each server lives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .general import BasicServer, GroupsServer, IdentifyServer, OnOffServer, OtaClient
from .level import LevelServer
from .lighting import ColorServer
from .scenes import ScenesServer
from .spec import BASIC, COLOR, GROUPS, IDENTIFY, LEVEL, ON_OFF, OTA, SCENES

if TYPE_CHECKING:
    from .cluster import ClusterServer

SERVERS: dict[int, type[ClusterServer]] = {
    BASIC: BasicServer,
    IDENTIFY: IdentifyServer,
    GROUPS: GroupsServer,
    SCENES: ScenesServer,
    ON_OFF: OnOffServer,
    LEVEL: LevelServer,
    COLOR: ColorServer,
}

#: Client clusters every simulated device carries (OTA client, as real lamps list it).
CLIENTS: dict[int, type[ClusterServer]] = {OTA: OtaClient}
OUT_CLUSTERS = (OTA,)
