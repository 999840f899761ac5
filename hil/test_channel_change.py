"""Scenario 10: the network moves to another primary channel and the light follows it.

``PUT config {"zigbeechannel": n}`` makes the coordinator broadcast the change and move; the
lights switch after the broadcast delivery time. Afterwards the network goes back to where
it was, so the rig is left as found. On real hardware this moves every device of the stick's
network, so it runs only with ``GATEWAY_HIL_CHANNEL_CHANGE=1`` (hil/README.md).
"""

from __future__ import annotations

import pytest

from hil.api import Deconz, success_items, until
from hil.rig import Rig
from hil.zigbee_side import PRIMARY_CHANNELS

pytestmark = pytest.mark.hil

MOVE_TIMEOUT = 90.0  # the radio's change_channel bound is 60 s
FOLLOW_TIMEOUT = 30.0  # a light may need a rejoin to find the new channel


@pytest.fixture
def channel_change_allowed(rig: Rig) -> None:
    rig.need(True if rig.zigbee.channel_change else None, rig.zigbee.missing_channel_change)


async def _move(deconz: Deconz, channel: int) -> None:
    response = await deconz.put("config", {"zigbeechannel": channel}, timeout=MOVE_TIMEOUT)
    assert response.status_code == 200, response.text
    assert success_items(response.json()) == {"/config/zigbeechannel": channel}


async def test_channel_change_moves_the_network_and_the_light_follows(
    rig: Rig, channel_change_allowed: None, paired: str, deconz: Deconz
) -> None:
    config = await until(deconz.radio_up, timeout=60, what="the radio running")
    original, panid = config["zigbeechannel"], config["panid"]
    target = next(c for c in PRIMARY_CHANNELS if c != original)
    light_id = await deconz.light_id(paired)
    try:
        await _move(deconz, target)
        config = await deconz.config()
        assert (config["zigbeechannel"], config["panid"]) == (target, panid), config
        network = await rig.zigbee.radio_network()
        if network is not None:
            assert network == (target, panid), "the coordinator itself moved"

        async def obeys() -> bool:
            response = await deconz.put(f"lights/{light_id}/state", {"on": True})
            return bool(success_items(response.json()))

        await until(obeys, timeout=FOLLOW_TIMEOUT, step=0.5, what="the light answering")
        reading = await rig.zigbee.read_light(paired)
        if reading is not None:
            assert reading.channel == target, reading
        assert (await deconz.get(f"lights/{light_id}"))["state"]["reachable"] is True
    finally:
        if (await deconz.config())["zigbeechannel"] != original:
            await _move(deconz, original)
