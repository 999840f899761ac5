"""``fb``: the answer waits for the device's own status telegram, sent after our command."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from xknx.dpt.payload import DPTBinary

from tests.helpers.waiting import until

LIGHT = "living_room_light"

SHARED_ADDRESS = """
[[devices]]
guid = "shared"
type = "light"
power = { command = "7/0/1", status = "7/0/1", comm_obj = 1 }
"""


def once_our_command_is_on_the_bus(rig, action: Callable[[], object]) -> asyncio.Task[None]:
    """Run ``action`` (a device's report, a fault) once our next command is on the bus.

    A device answers a command it has seen: a fixed delay would race with a slow server.
    """
    mark = rig.mark()

    async def wait_then_act() -> None:
        await until(lambda: rig.sent_since(mark), timeout=5, step=0.005)
        result = action()
        if asyncio.iscoroutine(result):
            await result

    return asyncio.create_task(wait_then_act())


async def test_fb_does_not_take_our_own_write_as_feedback(make_rig):
    rig = await make_rig(catalogue=SHARED_ADDRESS)  # nothing on the bus answers 7/0/1
    await rig.warm_up()
    mark = rig.mark()
    started = time.monotonic()
    r = await rig.get("power", guid="shared", cmd=1, fb=None)
    elapsed = time.monotonic() - started
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert [t.destination for t in rig.sent_since(mark)] == ["7/0/1"]  # the command went out
    assert 0.45 < elapsed < 1.5


async def test_fb_takes_a_write_from_another_device_on_a_shared_address(make_rig):
    rig = await make_rig(catalogue=SHARED_ADDRESS)
    device = once_our_command_is_on_the_bus(
        rig, lambda: rig.emulator.inject("7/0/1", DPTBinary(0), "write", "1.1.50")
    )
    r = await rig.get("power", guid="shared", cmd=1, fb=None)
    await device
    assert r.json() == {"namespace": "power", "guid": "shared", "status": 0, "comm_obj": 1}


async def test_fb_does_not_take_the_answer_to_an_older_read(make_rig):
    rig = await make_rig(feedback_timeout=3)
    light = rig.emulator.devices[LIGHT]
    # The old state is answered 1 s after the read: our command, sent right after the read,
    # must be on the bus by then even on a slow machine (0.25 s was not always enough).
    light.on, light.read_delay, light.feedback_delay = False, 1.0, 1.5
    mark = rig.mark()
    rig.emulator.inject("1/0/2", kind="read", source="1.1.60")  # someone reads the old state
    r = await rig.get("power", guid=LIGHT, cmd=1, fb=None)
    assert r.json()["status"] == 1
    # The scenario really happened: the old state (0) was answered after our command.
    log = rig.emulator.bus_log[mark:]
    command_at = next(t.at for t in log if t.destination == "1/0/1")
    stale = [t for t in log if t.kind == "response" and t.destination == "1/0/2"]
    assert stale and stale[0].payload == DPTBinary(0) and stale[0].at > command_at


async def test_fb_ignores_a_status_that_arrived_before_the_command(rig):
    light = rig.emulator.devices[LIGHT]
    light.feedback_delay = 0.2
    rig.emulator.inject("1/0/2", DPTBinary(0), source="1.1.1")
    r = await rig.get("power", guid=LIGHT, cmd=1, fb=None)
    assert r.json()["status"] == 1


async def test_fb_without_feedback_in_time_is_impossible_to_execute_after_sending(rig):
    rig.emulator.devices[LIGHT].feedback_delay = 3.0
    await rig.warm_up()
    mark = rig.mark()
    started = time.monotonic()
    r = await rig.get("power", guid=LIGHT, cmd=1, fb=None)
    elapsed = time.monotonic() - started
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert [t.destination for t in rig.sent_since(mark)] == ["1/0/1"]
    assert 0.45 < elapsed < 1.5  # feedback_timeout is 0.5 s in these tests


async def test_fb_without_a_status_address_is_impossible_and_sends_nothing(make_rig):
    rig = await make_rig(
        catalogue="""
[[devices]]
guid = "blind_light"
type = "light"
power = { command = "1/0/1", comm_obj = 1 }
"""
    )
    mark = rig.mark()
    r = await rig.get("power", guid="blind_light", cmd=1, fb=None)
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert rig.sent_since(mark) == []


async def test_fb_waits_leave_no_subscription_behind(rig):
    rig.emulator.devices[LIGHT].feedback_delay = 3.0
    await rig.get("power", guid=LIGHT, cmd=1, fb=None)  # times out
    await rig.get("powerlevel", guid="dining_dimmer", cmd=10, fb=None)  # answered
    assert rig.link._hub.subscriber_count == 0


async def test_fast_alternating_fb_commands_each_answer_their_own_status(rig):
    # Each status telegram arrives 30 ms after its command, i.e. while the next command is
    # already waiting: a late status of the previous command must not answer this one.
    for cmd in (1, 0, 1, 0):
        await rig.get("power", guid=LIGHT, cmd=cmd)  # no fb: their statuses arrive later
    answers = [(await rig.get("power", guid=LIGHT, cmd=i % 2, fb=None)).json() for i in range(8)]
    assert [a["status"] for a in answers] == [i % 2 for i in range(8)]


async def test_fb_answers_a_different_reported_value_once_the_wait_is_over(make_rig):
    rig = await make_rig(catalogue=SHARED_ADDRESS.replace('status = "7/0/1"', 'status = "7/0/2"'))
    # The device reports 0 although we asked for 1 (it refused, or clamps): that is its state.
    device = once_our_command_is_on_the_bus(
        rig, lambda: rig.emulator.inject("7/0/2", DPTBinary(0), "write", "1.1.50")
    )
    started = time.monotonic()
    r = await rig.get("power", guid="shared", cmd=1, fb=None)
    await device
    assert r.json() == {"namespace": "power", "guid": "shared", "status": 0, "comm_obj": 1}
    assert time.monotonic() - started > 0.45  # it waited for a matching report first


async def test_fb_ends_with_503_as_soon_as_the_knx_link_drops(make_rig):
    rig = await make_rig(catalogue=SHARED_ADDRESS, feedback_timeout=5)  # nobody answers 7/0/1
    await rig.warm_up()
    dropped = once_our_command_is_on_the_bus(rig, rig.emulator.disconnect_clients)
    started = time.monotonic()
    r = await rig.get("power", guid="shared", cmd=1, fb=None)
    elapsed = time.monotonic() - started
    await dropped
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert elapsed < 2  # the drop ended the wait, not the 5 s feedback time-out
