"""Group and scene requests in flight when the stick goes away answer 503/950 (issue 12).

As ``test_faults_inflight`` for a single light, through the groups side of the bridge: a
group action (one APS groupcast) and a scene recall answer 503/950; a membership write (a
unicast to the lamp's Groups cluster, in the background) cut by the unplug is done after
the replug, without an error. The unmodified zigpy-znp drives our emulator over a pty; the
stick is pulled once the emulator has read the request's data frame, so the request is
still waiting inside zigpy-znp when the port closes.
"""

from __future__ import annotations

import logging
from typing import Any

from tests.zigbee.rig import ieee, until, zigbee_rig
from tests.zigbee.test_faults_inflight import request_while_unplugging


async def _group_of_light_1(rig: Any) -> str:
    light = rig.gw.light_id(1)
    r = await rig.gw.http.post(rig.gw.url("/groups"), json={"name": "Hall", "lights": [light]})
    assert r.status_code == 200, r.text
    group = str(r.json()[0]["success"]["id"])
    # The membership is written in the background: done before the stick is armed, so
    # the data request that pulls it is the one under test.
    await until(lambda: rig.emulator.device(ieee(1)).in_group(int(group)), timeout=20)
    return group


def _assert_radio_gone(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    assert response.json()[0]["error"]["type"] == 950, response.text


async def test_a_group_action_in_flight_at_unplug_answers_503_error_950(paired):
    async with zigbee_rig(paired) as rig:
        group = await _group_of_light_1(rig)
        response = await request_while_unplugging(
            rig, "PUT", f"/groups/{group}/action", {"on": True}
        )
        _assert_radio_gone(response)
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.reachable, timeout=15)


async def test_a_scene_recall_in_flight_at_unplug_answers_503_error_950(paired):
    async with zigbee_rig(paired) as rig:
        group = await _group_of_light_1(rig)
        r = await rig.gw.http.post(rig.gw.url(f"/groups/{group}/scenes"), json={"name": "Eve"})
        assert r.status_code == 200, r.text
        scene = r.json()[0]["success"]["id"]
        path = f"/groups/{group}/scenes/{scene}/recall"
        response = await request_while_unplugging(rig, "PUT", path, {})
        _assert_radio_gone(response)


async def test_a_membership_write_cut_by_an_unplug_is_done_after_the_replug(paired, caplog):
    """deCONZ answers a membership change at once and writes the lamps in the background:
    a write the unplug cuts is left for later (no error), and done once the stick is back."""
    async with zigbee_rig(paired) as rig:
        group = await _group_of_light_1(rig)
        lights = [rig.gw.light_id(1), rig.gw.light_id(2)]
        response = await request_while_unplugging(
            rig, "PUT", f"/groups/{group}", {"lights": lights}
        )
        assert response.status_code == 200, response.text
        lamp = rig.emulator.device(ieee(2))
        assert not lamp.in_group(int(group))
        await rig.emulator.replug()
        await until(lambda: lamp.in_group(int(group)), timeout=20)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
