"""Scenario 3: ``PUT /lights/<id>/state`` reaches the light, and the websocket tells about it.

On the virtual rig the light's own state is read from the emulator (ZCL attributes, after
the fade the command asked for); a real light is read back through the API, whose state a
real lamp's attribute reports keep current.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from hil.api import Deconz, EventStream, success_items, until
from hil.rig import Rig
from hil.zigbee_side import LightReading

pytestmark = pytest.mark.hil

FADE_TIMEOUT = 5.0  # the default transition is 0.4 s


@pytest_asyncio.fixture
async def light(rig: Rig, paired: str, deconz: Deconz) -> AsyncIterator[tuple[str, str]]:
    """(IEEE, id) of the rig's command light, reachable and switched on."""
    light_id = await deconz.light_id(paired)
    response = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/on": True}, response.text
    yield paired, light_id


async def require(rig: Rig, deconz: Deconz, light_id: str, field: str, missing: str) -> None:
    """Skip on a hardware rig whose light cannot do ``field``; the virtual rig's light can."""
    state = (await deconz.get(f"lights/{light_id}"))["state"]
    if rig.zigbee.virtual:
        assert field in state, f"the virtual rig's extended colour light lost {field}: {state}"
    rig.need(True if field in state else None, missing)


async def lamp(rig: Rig, ieee: str, wanted: dict[str, Any]) -> LightReading | None:
    """The light's own state once it has every ``wanted`` field; None if the rig cannot
    see the light itself (then the API's state is all there is)."""
    if await rig.zigbee.read_light(ieee) is None:
        return None

    async def reached() -> LightReading | None:
        reading = await rig.zigbee.read_light(ieee)
        assert reading is not None
        ok = all(getattr(reading, name) == value for name, value in wanted.items())
        return reading if ok else None

    return await until(reached, timeout=FADE_TIMEOUT, what=f"the light to show {wanted}")


async def test_on_bri_and_ct_are_carried_out_by_the_light(
    rig: Rig, deconz: Deconz, light: tuple[str, str]
) -> None:
    ieee, light_id = light
    await require(rig, deconz, light_id, "ct", "a colour temperature light as GATEWAY_HIL_LIGHT")
    response = await deconz.put(f"lights/{light_id}/state", {"on": True, "bri": 120, "ct": 250})
    assert response.status_code == 200
    base = f"/lights/{light_id}/state"
    assert success_items(response.json()) == {
        f"{base}/on": True,
        f"{base}/bri": 120,
        f"{base}/ct": 250,
    }
    await lamp(rig, ieee, {"on": True, "level": 120, "color_temperature": 250})
    state = (await deconz.get(f"lights/{light_id}"))["state"]
    assert (state["on"], state["bri"], state["ct"], state["colormode"]) == (True, 120, 250, "ct")
    assert state["reachable"] is True


async def test_xy_is_carried_out_by_the_light(
    rig: Rig, deconz: Deconz, light: tuple[str, str]
) -> None:
    ieee, light_id = light
    await require(rig, deconz, light_id, "xy", "a colour (xy) light as GATEWAY_HIL_LIGHT")
    response = await deconz.put(f"lights/{light_id}/state", {"xy": [0.3, 0.4]})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/xy": [0.3, 0.4]}
    # ZCL CurrentX/CurrentY are x and y times 65536.
    await lamp(rig, ieee, {"x": round(0.3 * 65536), "y": round(0.4 * 65536)})
    state = (await deconz.get(f"lights/{light_id}"))["state"]
    assert state["xy"] == [0.3, 0.4] and state["colormode"] == "xy", state


async def test_off_is_carried_out_by_the_light(
    rig: Rig, deconz: Deconz, light: tuple[str, str]
) -> None:
    ieee, light_id = light
    response = await deconz.put(f"lights/{light_id}/state", {"on": False})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/on": False}
    await lamp(rig, ieee, {"on": False})
    assert (await deconz.get(f"lights/{light_id}"))["state"]["on"] is False


async def test_state_change_is_announced_on_the_websocket(
    deconz: Deconz, events: EventStream, light: tuple[str, str]
) -> None:
    _ieee, light_id = light
    mark = events.mark()
    response = await deconz.put(f"lights/{light_id}/state", {"bri": 42})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/bri": 42}
    event = await events.wait_for(
        lambda e: (
            e.get("r") == "lights"
            and e.get("id") == light_id
            and e.get("state", {}).get("bri") == 42
        ),
        timeout=5,
        since=mark,
    )
    assert event["t"] == "event" and event["e"] == "changed", event
    assert event["uniqueid"] == (await deconz.get(f"lights/{light_id}"))["uniqueid"]
