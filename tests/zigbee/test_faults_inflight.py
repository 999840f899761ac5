"""A command in flight when the stick goes away answers 503/950, never a bare 500.

The unmodified zigpy-znp drives our emulator over a pty; the stick is pulled after the
emulator has taken the command's data request and before the lamp's answer goes out, so
the request is still waiting inside zigpy-znp when the port closes.
"""

from __future__ import annotations

import asyncio

import pytest
import zigpy_znp.commands as mt

from gateway.domain.radio import RadioUnavailable
from gateway.zigbee.cancellation import radio_request
from tests.zigbee.rig import until, zigbee_rig


async def request_while_unplugging(rig, method: str, path: str, body: dict):
    """Send ``method path`` and pull the stick as the emulator reads its data request."""
    loop = asyncio.get_running_loop()

    def pull_the_stick(command) -> bool:
        # Called as the emulator reads the frame: the unplug runs before the lamp's
        # acknowledgement (a timer of the simulated air) can reach the host.
        if isinstance(command, mt.AF.DataRequestExt.Req):
            loop.call_soon(rig.emulator.unplug)
            return True
        return False

    waiting = asyncio.create_task(rig.emulator.wait_for_frame(pull_the_stick, timeout=10))
    await asyncio.sleep(0)
    request = asyncio.create_task(rig.gw.http.request(method, rig.gw.url(path), json=body))
    await waiting
    return await asyncio.wait_for(request, 30)


async def _put_while_unplugging(rig, body: dict) -> tuple[int, str, dict | list | None]:
    path = f"/lights/{rig.gw.light_id(1)}/state"
    response = await request_while_unplugging(rig, "PUT", path, body)
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.status_code, response.text, response.json() if is_json else None


async def test_a_light_command_in_flight_at_unplug_answers_503_error_950(paired):
    async with zigbee_rig(paired) as rig:
        status, text, body = await _put_while_unplugging(rig, {"bri": 77})
        assert status == 503, text
        assert body is not None and body[0]["error"]["type"] == 950, text
        await rig.emulator.replug()
        await until(lambda: rig.gw.supervisor.reachable, timeout=15)


async def test_repeated_unplugs_during_commands_never_answer_500(paired):
    async with zigbee_rig(paired) as rig:
        for cycle in range(3):
            await until(lambda: rig.gw.supervisor.reachable, timeout=15)
            status, text, _ = await _put_while_unplugging(rig, {"bri": 10 + cycle})
            assert status in (200, 503), f"cycle {cycle}: {status} {text}"
            await rig.emulator.replug()


async def test_a_radio_request_cancelled_under_us_becomes_radio_unavailable():
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[None] = loop.create_future()

    async def request() -> None:
        with radio_request("bri"):
            await pending

    task = asyncio.create_task(request())
    await asyncio.sleep(0)
    pending.cancel()  # what zigpy-znp does to its waiting requests when the port closes
    with pytest.raises(RadioUnavailable):
        await task


async def test_our_own_cancellation_still_propagates_through_a_radio_request():
    started = asyncio.Event()

    async def request() -> None:
        with radio_request("bri"):
            started.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(request())
    await started.wait()
    task.cancel()  # the server cancelling the handler
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_timeout_around_a_radio_request_stays_a_timeout():
    async def request() -> None:
        with radio_request("bri"):
            await asyncio.sleep(30)

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await request()


async def test_an_error_of_a_request_the_radio_did_not_live_through_is_radio_unavailable():
    # zigpy-deconz fails with AttributeError when the port closed under a request.
    with pytest.raises(RadioUnavailable), radio_request("bri", gone=lambda: True):
        raise AttributeError("'NoneType' object has no attribute 'aps_data_request'")


async def test_an_error_while_the_radio_stays_up_is_left_alone():
    with pytest.raises(AttributeError), radio_request("bri", gone=lambda: False):
        raise AttributeError("a real bug")
