"""The binding engine's rules, on fake ports (the real buses are in test_bindings_e2e)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.domain.bindings import BindingEngine, parse_binding
from gateway.domain.bindings.records import Binding
from gateway.domain.lights.model import MoveLevel, StepLevel, StopLevel

from .fakes import FakeBus, FakeGroups, FakeLights, FakeScenes, FakeSensors, read, write

LAMP = {"on": False, "bri": 127, "ct": 370, "xy": [0.3127, 0.329], "reachable": True}


def binding(bus: FakeBus, raw: dict[str, Any], ident: str = "1") -> Binding:
    return parse_binding(raw, bus.canonical, id=ident)


def lamp_binding(bus: FakeBus, light: str = "1", **knx: Any) -> Binding:
    addresses = knx or {
        "switch": "1/0/1",
        "switch_status": "1/0/2",
        "dim": "1/0/3",
        "brightness": "1/0/4",
        "brightness_status": "1/0/5",
        "color_temperature": "1/0/6",
        "color_temperature_status": "1/0/7",
        "rgb": "1/0/8",
        "rgb_status": "1/0/9",
    }
    return binding(bus, {"target": {"type": "light", "id": light}, "knx": addresses}, light)


def engine_with(
    bindings: list[Binding], bus: FakeBus, lights: FakeLights, **ports: Any
) -> BindingEngine:
    engine = BindingEngine(bus, lights=lights, settle=0.0, **ports)
    engine.replace(bindings)
    engine.check_links()
    return engine


async def test_a_switch_write_turns_the_light_on() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(write("1/0/1", "1.001", 1))
    await engine.idle()
    assert lights.applied == [("1", {"on": True})]


async def test_status_follows_the_lamps_report_not_the_command() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    await engine.idle()
    bus.sent.clear()
    engine.handle(write("1/0/1", "1.001", 1))
    await engine.idle()
    assert bus.writes("1/0/2") == []  # commanded, not yet reported
    lights.report("1", on=True)
    await engine.idle()
    assert bus.writes("1/0/2") == [1]
    assert bus.writes("1/0/5") == [50]  # brightness shows once the lamp is on


async def test_a_report_produces_exactly_one_status_telegram_even_when_repeated() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    await engine.idle()
    bus.sent.clear()
    for _ in range(3):
        lights.report("1", on=True)
    await engine.idle()
    assert bus.writes("1/0/2") == [1]


async def test_our_own_status_telegram_is_never_taken_as_a_command() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    loop_binding = lamp_binding(bus, switch="1/0/1", switch_status="1/0/2")
    other = binding(bus, {"target": {"type": "light", "id": "2"}, "knx": {"switch": "1/0/2"}}, "2")
    lights.states["2"] = dict(LAMP)
    engine = engine_with([loop_binding, other], bus, lights)
    engine.handle(write("1/0/2", "1.001", 1, own=True))
    await engine.idle()
    assert lights.applied == []


async def test_a_status_address_that_is_a_command_address_is_refused() -> None:
    bus = FakeBus()
    with pytest.raises(ValueError, match="own status"):
        lamp_binding(bus, switch="1/0/1", switch_status="1/0/1")


@pytest.mark.parametrize(
    ("nibble", "command"),
    [
        (0b1001, MoveLevel(up=True, rate=85)),
        (0b0001, MoveLevel(up=False, rate=85)),
        (0b1000, StopLevel()),
        (0b0000, StopLevel()),
        (0b1010, StepLevel(up=True, step=127, transition=4)),
        (0b0111, StepLevel(up=False, step=4, transition=4)),
    ],
)
async def test_relative_dimming_moves_steps_and_stops(nibble: int, command: object) -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(write("1/0/3", "3.007", nibble))
    await engine.idle()
    assert lights.levels == [("1", command)]


@pytest.mark.parametrize(
    ("percent", "params"),
    [(0, {"on": False}), (100, {"on": True, "bri": 254}), (50, {"on": True, "bri": 127})],
)
async def test_absolute_brightness(percent: int, params: dict[str, Any]) -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(write("1/0/4", "5.001", percent))
    await engine.idle()
    assert lights.applied == [("1", params)]


async def test_colour_temperature_in_kelvin_becomes_mired_and_its_status_kelvin() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(write("1/0/6", "7.600", 4000))
    await engine.idle()
    assert lights.applied == [("1", {"ct": 250})]
    lights.report("1", ct=250)
    await engine.idle()
    assert bus.writes("1/0/7")[-1] == 4000


async def test_rgb_sets_colour_and_brightness_and_reports_it_back() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(write("1/0/8", "232.600", 0xFF0000))
    await engine.idle()
    ((light_id, params),) = lights.applied
    assert light_id == "1"
    assert params["on"] is True and params["bri"] == 254
    lights.report("1", on=True, bri=254, xy=params["xy"])
    await engine.idle()
    rgb = int(bus.writes("1/0/9")[-1])
    assert rgb >> 16 == 0xFF and (rgb >> 8 & 0xFF) < 0x20 and (rgb & 0xFF) < 0x20


async def test_a_read_of_a_status_address_is_answered_with_the_last_known_value() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP, on=True, bri=254)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(read("1/0/5"))
    await engine.idle()
    assert ("response", "1/0/5", "5.001", 100) in bus.sent


async def test_a_read_for_an_unreachable_lamp_goes_unanswered() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    lights.unreachable.add("1")
    engine.handle(read("1/0/2"))
    await engine.idle()
    assert [s for s in bus.sent if s[0] == "response"] == []
    assert engine.status(engine.bindings[0]).reachable is False


async def test_knx_outage_sends_nothing_and_then_the_current_status_once() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    await engine.idle()
    bus.connected = False
    engine.check_links()
    for bri in (10, 20, 30):
        lights.report("1", on=True, bri=bri)
    await engine.idle()
    bus.sent.clear()
    assert engine.status(engine.bindings[0]).reachable is False
    bus.connected = True
    engine.check_links()
    await engine.idle()
    assert bus.writes("1/0/2") == [1]
    assert bus.writes("1/0/5") == [12]


async def test_radio_outage_drops_commands_and_resends_status_once_after_settling() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    await engine.idle()
    lights.radio_up = False
    engine.check_links()
    engine.handle(write("1/0/1", "1.001", 1))
    await engine.idle()
    assert lights.applied == [] and engine.counters.dropped == 1
    bus.sent.clear()
    lights.radio_up = True
    engine.check_links()  # settle is 0: the status goes at once
    await engine.idle()
    assert bus.writes("1/0/2") == [0]
    assert len(bus.writes("1/0/5")) == 1


async def test_a_central_telegram_to_all_members_of_a_group_is_one_groupcast() -> None:
    bus = FakeBus()
    states = {str(i): dict(LAMP) for i in range(1, 21)}
    lights, groups = FakeLights(states), FakeGroups({"7": list(states)})
    bindings = [lamp_binding(bus, str(i), switch=[f"1/1/{i}", "1/7/0"]) for i in range(1, 21)]
    engine = engine_with(bindings, bus, lights, groups=groups)
    engine.handle(write("1/7/0", "1.001", 0))
    await engine.idle()
    assert groups.applied == [("7", {"on": False})]
    assert lights.applied == []
    engine.handle(write("1/1/3", "1.001", 1))
    await engine.idle()
    assert lights.applied == [("3", {"on": True})]


async def test_scene_numbers_recall_and_learn_scenes_of_the_group() -> None:
    bus, lights, scenes = FakeBus(), FakeLights({}), FakeScenes()
    groups = FakeGroups({"2": []})
    raw = {
        "target": {"type": "group", "id": "2"},
        "knx": {"scene": "3/0/1"},
        "scene_dpt": "18.001",
        "scenes": {"5": "11"},
    }
    engine = engine_with([binding(bus, raw)], bus, lights, groups=groups, scenes=scenes)
    engine.handle(write("3/0/1", "18.001", 4))  # recall scene 5
    await engine.idle()
    engine.handle(write("3/0/1", "18.001", 64 | 1))  # learn scene 2
    await engine.idle()
    assert scenes.calls == [("recall", "2", "11"), ("store", "2", "2")]


async def test_sensor_state_and_button_events_become_knx_telegrams() -> None:
    bus, lights, sensors = FakeBus(), FakeLights({}), FakeSensors()
    raw = {
        "target": {"type": "sensor", "id": "4"},
        "knx": {"presence": "4/0/1", "temperature": "4/0/2", "lux": "4/0/3"},
    }
    switch = {
        "target": {"type": "sensor", "id": "5"},
        "buttons": [{"event": 1002, "address": "4/1/1", "value": 1},
                    {"event": 4002, "address": "4/1/1", "value": 0}],
    }  # fmt: skip
    bindings = [binding(bus, raw, "1"), binding(bus, switch, "2")]
    engine = engine_with(bindings, bus, lights, sensors=sensors)
    sensors.change("4", presence=True, temperature=2150, lux=320)
    sensors.change("5", buttonevent=1002)
    sensors.change("5", buttonevent=1002)
    sensors.change("5", buttonevent=4002)
    await engine.idle()
    assert bus.writes("4/0/1") == [1]
    assert bus.writes("4/0/2") == [21.5]
    assert bus.writes("4/0/3") == [320.0]
    assert bus.writes("4/1/1") == [1, 1, 0]
    engine.handle(read("4/0/2"))
    await engine.idle()
    assert ("response", "4/0/2", "9.001", 21.5) in bus.sent


async def test_a_malformed_telegram_costs_only_that_telegram() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.handle(write("1/0/4", "7.600", 3000))  # two bytes where 5.001 has one
    engine.handle(write("1/0/1", "1.001", 1))
    await engine.idle()
    assert lights.applied == [("1", {"on": True})]


async def test_replacing_the_bindings_takes_effect_at_once() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP)})
    engine = engine_with([lamp_binding(bus)], bus, lights)
    engine.replace([lamp_binding(bus, switch="2/0/1")])
    engine.handle(write("1/0/1", "1.001", 1))
    engine.handle(write("2/0/1", "1.001", 0))
    await engine.idle()
    assert lights.applied == [("1", {"on": False})]


async def test_at_start_the_lamp_status_goes_once_after_the_radio_not_twice() -> None:
    bus, lights = FakeBus(), FakeLights({"1": dict(LAMP, on=True)})
    bus.connected, lights.radio_up = False, False  # the gateway is starting
    engine = BindingEngine(bus, lights=lights, settle=0.0)
    engine.replace([lamp_binding(bus)])
    engine.check_links()
    bus.connected = True  # the KNX link comes first
    engine.check_links()
    await engine.idle()
    assert bus.writes("1/0/2") == [], "the stored state is not the lamp's word"
    lights.radio_up = True
    engine.check_links()
    await engine.idle()
    assert bus.writes("1/0/2") == [1]
