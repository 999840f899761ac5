"""Every simulated actuator obeys its commands, reports status, and answers reads.

Driven through a real KnxLink (xknx tunnelling over UDP) against the emulator's default
device set, so the addresses here are the documented example catalogue.
"""

from __future__ import annotations

import asyncio

import pytest

from gateway.knx import dpt
from gateway.knx.link import KnxLink
from hil.emulators.knx import Blind, Button, KnxEmulator, Scene, Thermostat

FEEDBACK = 1.0


async def command_and_feedback(
    link: KnxLink, command: str, status: str, kind: str, value: float, status_kind: str = ""
) -> float:
    """Write ``value`` to ``command`` and return what the actuator reports on ``status``."""
    with link.subscribe(status) as feedback:
        await link.write(command, kind, value)
        event = await feedback.get(within=FEEDBACK)
    assert event.kind == "write" and not event.own
    assert event.payload is not None
    return dpt.decode(status_kind or kind, event.payload)


async def read_value(link: KnxLink, ga: str, kind: str) -> float:
    event = await link.read(ga)
    assert event.kind == "response"
    assert event.payload is not None
    return dpt.decode(kind, event.payload)


@pytest.mark.parametrize(("command", "status"), [("1/0/1", "1/0/2"), ("1/0/3", "1/0/4")])
async def test_switch_reports_and_answers_its_state(
    link: KnxLink, command: str, status: str
) -> None:
    assert await command_and_feedback(link, command, status, "1.001", 1) == 1
    assert await read_value(link, status, "1.001") == 1
    assert await command_and_feedback(link, command, status, "1.001", 0) == 0
    assert await read_value(link, status, "1.001") == 0


async def test_dimmer_brightness_reports_level_and_switch_state(link: KnxLink) -> None:
    with link.subscribe("1/1/2") as switch_status:
        assert await command_and_feedback(link, "1/1/3", "1/1/4", "5.001", 40) == 40
        on = await switch_status.get(within=FEEDBACK)
    assert dpt.decode("1", on.payload) == 1  # type: ignore[arg-type]
    assert await read_value(link, "1/1/4", "5.001") == 40
    assert await read_value(link, "1/1/2", "1.001") == 1


async def test_dimmer_switch_off_and_on_restores_the_last_level(link: KnxLink) -> None:
    await command_and_feedback(link, "1/1/3", "1/1/4", "5.001", 60)
    assert await command_and_feedback(link, "1/1/1", "1/1/4", "1.001", 0, "5.001") == 0
    assert await command_and_feedback(link, "1/1/1", "1/1/4", "1.001", 1, "5.001") == 60


async def test_blind_up_down_position_and_angle_report_status(link: KnxLink) -> None:
    assert await command_and_feedback(link, "2/0/1", "2/0/5", "1.008", 1, "5.001") == 100
    assert await command_and_feedback(link, "2/0/1", "2/0/5", "1.008", 0, "5.001") == 0
    assert await command_and_feedback(link, "2/0/4", "2/0/5", "5.001", 35) == 35
    assert await read_value(link, "2/0/5", "5.001") == 35
    assert await command_and_feedback(link, "2/0/6", "2/0/7", "5.001", 50) == 50
    assert await read_value(link, "2/0/7", "5.001") == 50


async def test_blind_step_turns_the_slats_by_one_step(link: KnxLink) -> None:
    await command_and_feedback(link, "2/0/6", "2/0/7", "5.001", 50)
    assert await command_and_feedback(link, "2/0/3", "2/0/7", "1.007", 1, "5.001") == 60
    assert await command_and_feedback(link, "2/0/3", "2/0/7", "1.007", 0, "5.001") == 50


async def test_blind_stop_halts_a_travelling_blind_where_it_is(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    blind = emulator.devices["living_room_blind"]
    assert isinstance(blind, Blind)
    blind.travel_time = 2.0
    with link.subscribe("2/0/5") as position:
        await link.write("2/0/1", "1.008", 1)  # down: 0 -> 100 % over 2 s
        await asyncio.sleep(0.5)
        await link.write("2/0/2", "1.017", 1)
        stopped = await position.get(within=FEEDBACK)
    where = dpt.decode("5.001", stopped.payload)  # type: ignore[arg-type]
    assert 10 <= where <= 60
    assert not blind.moving


async def test_thermostat_reports_actual_temperature_and_answers_reads(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    assert await read_value(link, "3/0/1", "9.001") == 21.5
    thermostat = emulator.devices["living_room_thermostat"]
    assert isinstance(thermostat, Thermostat)
    with link.subscribe("3/0/1") as temperature:
        thermostat.set_actual_temperature(19.25)
        event = await temperature.get(within=FEEDBACK)
    assert dpt.decode("9.001", event.payload) == pytest.approx(19.25, abs=0.01)  # type: ignore[arg-type]


async def test_thermostat_setpoint_mode_and_chrono_report_status(link: KnxLink) -> None:
    assert await command_and_feedback(link, "3/0/2", "3/0/3", "9.001", 22.5) == 22.5
    assert await read_value(link, "3/0/3", "9.001") == 22.5
    assert await command_and_feedback(link, "3/0/4", "3/0/5", "5.010", 3) == 3
    assert await read_value(link, "3/0/5", "5.010") == 3
    assert await command_and_feedback(link, "3/0/6", "3/0/7", "1.003", 1) == 1
    assert await read_value(link, "3/0/7", "1.003") == 1


async def test_hvac_power_setpoint_mode_and_fan_report_status(link: KnxLink) -> None:
    assert await command_and_feedback(link, "3/1/1", "3/1/2", "1.001", 1) == 1
    assert await command_and_feedback(link, "3/1/3", "3/1/4", "9.001", 20.5) == 20.5
    assert await command_and_feedback(link, "3/1/5", "3/1/6", "5.010", 1) == 1
    assert await command_and_feedback(link, "3/1/7", "3/1/8", "5.010", 2) == 2
    for status, kind, expected in [
        ("3/1/2", "1", 1), ("3/1/4", "9", 20.5), ("3/1/6", "5", 1), ("3/1/8", "5", 2),
    ]:  # fmt: skip
        assert await read_value(link, status, kind) == expected


async def test_analog_value_reports_what_was_written(link: KnxLink) -> None:
    assert await read_value(link, "6/0/2", "9.001") == 45.0
    assert await command_and_feedback(link, "6/0/1", "6/0/2", "9.001", 52.4) == pytest.approx(
        52.4, abs=0.01
    )


async def test_scene_recall_runs_its_actions_on_the_bus(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    with link.subscribe("1/0/2") as light_status:
        await link.write("4/0/1", "5.010", 0)  # scene 1 is sent as 0 (DPT 17.001/18.001)
        await link.write("4/0/1", "5.010", 1)
        event = await light_status.get(within=FEEDBACK)
    scene = emulator.devices["house_scenes"]
    assert isinstance(scene, Scene)
    assert scene.recalled == [0, 1]
    assert dpt.decode("1", event.payload) == 1  # type: ignore[arg-type]
    assert emulator.devices["dining_dimmer"].level == 40  # type: ignore[attr-defined]


async def test_button_counts_triggers_and_presses_reach_the_link(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    button = emulator.devices["doorbell"]
    assert isinstance(button, Button)
    await link.write("5/0/1", "1.017", 1)
    await emulator.wait_for_telegram(lambda t: t.destination == "5/0/1", timeout=FEEDBACK)
    assert button.presses == 1
    with link.subscribe("5/0/1") as presses:
        button.press()
        event = await presses.get(within=FEEDBACK)
    assert event.source == button.address and not event.own


async def test_feedback_arrives_after_the_configured_delay(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    emulator.devices["kitchen_light"].feedback_delay = 0.2
    with link.subscribe("1/0/4") as feedback:
        await link.write("1/0/3", "1", 1)
        sent = link.last_event("1/0/3")
        event = await feedback.get(within=FEEDBACK)
    assert sent is not None and sent.own
    assert 0.18 <= event.received_at - sent.received_at <= 0.6
