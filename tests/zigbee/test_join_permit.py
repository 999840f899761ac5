"""JoinPermit on its own, with an application that records its permits (unit tests).

Why apart from the supervisor tests: the races here are between the supervisor's start-up
reopen and a client's own permit, which the supervisor tests only meet under load.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gateway.zigbee.join_permit import JoinPermit

RENEW = 0.05  # s between renewals of an "open until closed" permit


class RecordingApp:
    """The zigpy application as far as permits go."""

    def __init__(self) -> None:
        self.permits: list[int] = []
        self.first_gate: asyncio.Event | None = None  # holds the first permit on the air

    async def permit(self, time_s: int = 60, node: Any = None) -> None:
        self.permits.append(time_s)
        if self.first_gate is not None and len(self.permits) == 1:
            await self.first_gate.wait()


def join_permit(app: RecordingApp) -> JoinPermit:
    return JoinPermit(
        renew_interval=RENEW, clock=time.monotonic, current_app=lambda: app, busy=lambda: False
    )


async def test_a_late_reopen_after_open_until_closed_leaves_no_renewal_behind_a_close():
    # The supervisor's start-up reopen of a new application can run just after a client
    # opened the network "until closed" (255) on it. Before, the reopen started a second
    # renewal task over the first; the close stopped only one, and the other kept opening
    # the network every renew interval (every 4 minutes in service) for ever.
    app = RecordingApp()
    permit = join_permit(app)
    await permit.open(app, 255)  # type: ignore[arg-type]
    await permit.reopen(app)  # type: ignore[arg-type]
    await permit.open(app, 0)  # type: ignore[arg-type]
    closed_at = len(app.permits)
    await asyncio.sleep(RENEW * 4)
    assert app.permits[closed_at - 1 :] == [0], app.permits
    assert not permit.joins_open()


async def test_a_close_while_the_reopen_is_on_the_air_is_not_undone_by_it():
    app = RecordingApp()
    permit = join_permit(app)
    await permit.open(app, 255)  # type: ignore[arg-type]
    permit.cancel(keep_deadline=True)  # the radio went away; the deadline stays
    app.permits.clear()
    app.first_gate = asyncio.Event()
    reopen = asyncio.create_task(permit.reopen(app))  # type: ignore[arg-type]
    while not app.permits:
        await asyncio.sleep(0)
    await permit.open(app, 0)  # type: ignore[arg-type]  # a client closes meanwhile
    app.first_gate.set()
    await reopen
    await asyncio.sleep(RENEW * 4)
    assert app.permits == [254, 0], app.permits
    assert not permit.joins_open()


async def test_a_reopen_of_open_until_closed_keeps_renewing_until_closed():
    app = RecordingApp()
    permit = join_permit(app)
    await permit.open(app, 255)  # type: ignore[arg-type]
    await permit.reopen(app)  # type: ignore[arg-type]
    await asyncio.sleep(RENEW * 4)
    assert set(app.permits) == {254} and len(app.permits) >= 4, app.permits
    await permit.open(app, 0)  # type: ignore[arg-type]
    assert app.permits[-1] == 0
    permit.cancel()
