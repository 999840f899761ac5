"""The aiohue scenes scenario of ``test_hue_scenes_clients.py`` on a ConBee: the same Hue
v1 ``/scenes`` calls reach the lamps through the unmodified zigpy-deconz and the deCONZ
emulator (ZCL Store Scene when the scene is made and when a lamp joins the group, one
Recall Scene groupcast to the scene's group, also when recalled through group 0)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.clients.test_hue_scenes_clients import SCENES, aiohue_scenario
from tests.zigbee.test_deconz_gateway import DeconzRig, deconz_rig

pytestmark = pytest.mark.asyncio(loop_scope="module")
GROUP_ADDRESSING = 0x01  # zigpy_deconz.types.AddressMode.GROUP


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DeconzRig]:
    async with deconz_rig(tmp_path_factory.mktemp("conbee-scenes"), lights=4, paired=4) as rig:
        yield rig


def scene_groupcasts(rig: DeconzRig, since: int) -> list[int]:
    """Group addresses of the data requests to the Scenes cluster sent as groupcasts."""
    found = []
    for request in rig.emulator.requests(since):
        if request.command.name != "aps_data_request":
            continue
        dst = request.params["dst"]
        if request.params["cluster_id"] == SCENES and int(dst.address_mode) == GROUP_ADDRESSING:
            found.append(int(dst.address))
    return found


async def test_aiohue_scenes_on_a_conbee(rig: DeconzRig) -> None:
    await aiohue_scenario(rig, on_air=lambda since: scene_groupcasts(rig, since))
