"""Bursts to one lamp: one command in flight, the newest waiting, every caller answered truly."""

from __future__ import annotations

import asyncio

import pytest

from gateway.zigbee.coalescing import LatestWins


class Radio:
    """Sends that finish when the test says so, recording what went out."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.gates: list[asyncio.Future[None]] = []

    def send(self, value: int):
        async def go() -> None:
            self.sent.append(value)
            gate = asyncio.get_running_loop().create_future()
            self.gates.append(gate)
            await gate

        return go

    def finish(self, index: int, error: BaseException | None = None) -> None:
        gate = self.gates[index]
        if error is None:
            gate.set_result(None)
        else:
            gate.set_exception(error)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_commands_waiting_behind_one_in_flight_collapse_to_the_newest():
    radio, latest = Radio(), LatestWins()
    calls = [asyncio.create_task(latest.run("lamp", radio.send(v))) for v in (1, 2, 3, 4)]
    await settle()
    assert radio.sent == [1]  # 2, 3 and 4 wait: only the newest will go out
    radio.finish(0)
    await settle()
    assert radio.sent == [1, 4]
    assert calls[0].done() and not any(c.done() for c in calls[1:])
    radio.finish(1)
    await asyncio.wait_for(asyncio.gather(*calls), 1)  # every caller answered
    assert radio.sent == [1, 4]
    assert not latest.busy("lamp")


async def test_replaced_callers_get_the_failure_of_the_command_that_replaced_them():
    radio, latest = Radio(), LatestWins()
    first = asyncio.create_task(latest.run("lamp", radio.send(1)))
    second = asyncio.create_task(latest.run("lamp", radio.send(2)))
    third = asyncio.create_task(latest.run("lamp", radio.send(3)))
    await settle()
    radio.finish(0)
    await settle()
    radio.finish(1, TimeoutError("no ack"))
    await first
    for call in (second, third):
        with pytest.raises(TimeoutError):
            await call


async def test_different_lamps_and_kinds_do_not_wait_for_each_other():
    radio, latest = Radio(), LatestWins()
    calls = [
        asyncio.create_task(latest.run(key, radio.send(n)))
        for n, key in enumerate([("a", "level"), ("b", "level"), ("a", "colour")])
    ]
    await settle()
    assert radio.sent == [0, 1, 2]  # all in flight at once
    for index in range(3):
        radio.finish(index)
    await asyncio.wait_for(asyncio.gather(*calls), 1)


async def test_a_command_after_a_quiet_lamp_goes_out_at_once():
    radio, latest = Radio(), LatestWins()
    call = asyncio.create_task(latest.run("lamp", radio.send(1)))
    await settle()
    radio.finish(0)
    await call
    again = asyncio.create_task(latest.run("lamp", radio.send(2)))
    await settle()
    assert radio.sent == [1, 2]
    radio.finish(1)
    await again


async def test_a_caller_that_gives_up_does_not_stop_the_others():
    radio, latest = Radio(), LatestWins()
    first = asyncio.create_task(latest.run("lamp", radio.send(1)))
    quitter = asyncio.create_task(latest.run("lamp", radio.send(2)))
    stayer = asyncio.create_task(latest.run("lamp", radio.send(3)))
    await settle()
    quitter.cancel()
    radio.finish(0)
    await settle()
    radio.finish(1)
    await asyncio.wait_for(asyncio.gather(first, stayer), 1)
    assert quitter.cancelled()
