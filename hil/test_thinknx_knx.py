"""Scenario 6: Thinknx commands reach the KNX bus, and feedback comes back from the actuator.

The bus is watched through a second tunnel straight to the interface (:mod:`hil.knx_monitor`),
so what is asserted is what the installation saw, not what the gateway says it did. Virtual
rig: the emulator's ``living_room_light`` switch (1/0/1, status 1/0/2); hardware: the
actuator named by ``GATEWAY_HIL_KNX_SWITCH`` and the harmless ``GATEWAY_HIL_KNX_BYTE``.
"""

from __future__ import annotations

import pytest

from hil.api import Thinknx
from hil.knx_monitor import BusMonitor, SeenTelegram
from hil.rig import SWITCH_GUID, Rig

# KNX only: the same on every Zigbee variant, so it runs once (hil/conftest.py).
pytestmark = [
    pytest.mark.hil,
    pytest.mark.radio_independent,
    pytest.mark.usefixtures("knx_connected"),
]


@pytest.mark.parametrize("cmd", [1, 0])
async def test_power_with_fb_switches_the_actuator_and_answers_its_status(
    rig: Rig, thinknx: Thinknx, bus: BusMonitor, cmd: int
) -> None:
    command, status = rig.need(rig.knx.switch, rig.knx.missing_switch)
    # Start from the other state: an actuator may report its status on change only.
    mark = len(bus.seen)
    setup = await thinknx.call("power", guid=SWITCH_GUID, cmd=1 - cmd)
    assert setup.status == 200, setup
    await bus.wait_for(
        lambda t: t.destination == status and t.value == 1 - cmd, timeout=3, since=mark
    )
    mark = len(bus.seen)
    reply = await thinknx.call("power", guid=SWITCH_GUID, cmd=cmd, fb="")
    assert reply.status == 200, reply
    assert reply.body == {"namespace": "power", "guid": SWITCH_GUID, "status": cmd, "comm_obj": 1}

    def write(ga: str) -> SeenTelegram:
        return next(t for t in bus.seen[mark:] if t.destination == ga and t.kind == "write")

    await bus.wait_for(
        lambda t: t.destination == status and t.kind == "write", timeout=2, since=mark
    )
    sent, feedback = write(command), write(status)
    assert sent.value == cmd and feedback.value == cmd
    assert sent.at <= feedback.at, "the status follows the command"
    assert feedback.source != sent.source, "the status comes from the actuator, not the gateway"


async def test_send_knx_byte_puts_the_value_on_the_bus(
    rig: Rig, thinknx: Thinknx, bus: BusMonitor
) -> None:
    group = rig.need(rig.knx.byte_ga, rig.knx.missing_byte)
    mark = len(bus.seen)
    reply = await thinknx.call("system/sendKNXbyte", group=group, value=173)
    assert reply.status == 200, reply
    assert reply.body == {"namespace": "system/sendKNXbyte", "group": group, "value": 173}
    seen = await bus.wait_for(lambda t: t.destination == group, timeout=2, since=mark)
    assert (seen.kind, seen.value) == ("write", bytes([173]))
