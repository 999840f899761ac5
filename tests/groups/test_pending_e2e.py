"""A second command inside the fade of a first one is what GET and the websocket show.

The lamp keeps reporting while it fades; those reports describe the first command and
must not overwrite the second one's target (issue 9: the websocket showed bri 77, 200,
74, 200 and a GET right after read 89). Repeated, because the race is timing-dependent.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import pytest_asyncio

from tests.zigbee.rig import until, zigbee_rig

pytestmark = pytest.mark.asyncio(loop_scope="module")
LEVEL = 0x0008
EXTENDED = 1
FADE = 10  # 1/10 s
ROUNDS = 3


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory):
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("pending")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with zigbee_rig(directory, lights=4) as rig:
        yield rig


async def put_state(rig, body: dict) -> None:
    light = rig.gw.light_id(EXTENDED)
    r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json=body)
    assert r.status_code == 200, r.text
    assert all("success" in item for item in r.json()), r.json()


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_two_puts_inside_one_fade_end_on_the_second_value_in_get_and_websocket(rig, round_):
    light = rig.gw.light_id(EXTENDED)
    await put_state(rig, {"on": True, "bri": 10, "transitiontime": 0})
    await until(lambda: rig.emu_value(EXTENDED, LEVEL, "current_level") == 10)
    await asyncio.sleep(1.2)  # the reports of the set-up are in
    async with rig.gw.websocket() as stream:
        await put_state(rig, {"bri": 77, "transitiontime": FADE})
        await asyncio.sleep(0.4)  # the lamp is fading towards 77 and reporting
        await put_state(rig, {"bri": 200, "transitiontime": FADE})
        answered = time.monotonic()
        assert (await rig.gw.get(f"/lights/{light}"))["state"]["bri"] == 200
        seen: list[int] = []
        # one fade plus one report period: everything the lamp says about both commands
        deadline = answered + FADE / 10 + 1.5
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = await stream.next(
                    lambda e: e.get("r") == "lights" and e.get("id") == light, timeout=left
                )
            except TimeoutError:
                break
            if "bri" in event.get("state", {}):
                seen.append(event["state"]["bri"])
    await until(lambda: rig.emu_value(EXTENDED, LEVEL, "current_level") == 200, timeout=5)
    assert (await rig.gw.get(f"/lights/{light}"))["state"]["bri"] == 200
    after_second = seen[seen.index(200) :] if 200 in seen else seen
    assert after_second and set(after_second) == {200}, seen
