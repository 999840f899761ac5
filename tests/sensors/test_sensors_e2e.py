"""Sensors end to end: the emulator's sleepy sensors and remotes join through the
unmodified zigpy-znp, the gateway binds them and configures their reports, and what they
send shows in the deCONZ API and on the websocket (real uvicorn sockets)."""

from __future__ import annotations

import logging
import statistics
import time
from typing import Any

import zigpy_znp.commands as mt

from tests.helpers.waiting import until
from tests.sensors.rig import (
    CLIMATE,
    CONTACT,
    DIMMER,
    EXPECTED,
    IKEA,
    MOTION,
    control,
    sensor_id,
    sensors_rig,
)


def is_sensor_change(sid: str, key: str, where: str = "state"):
    def match(event: dict[str, Any]) -> bool:
        return (
            event.get("r") == "sensors"
            and event.get("e") == "changed"
            and event.get("id") == sid
            and key in event.get(where, {})
        )

    return match


async def test_join_lists_each_sensor_with_its_deconz_type_and_uniqueid(tmp_path):
    async with sensors_rig(tmp_path, search=True) as rig:
        sensors = await rig.gw.get("/sensors")
        assert {s["uniqueid"]: s["type"] for s in sensors.values()} == EXPECTED
        for sensor in sensors.values():
            assert sensor["config"]["battery"] == 100  # Power Configuration, read at join
            assert sensor["config"]["reachable"] is True
        full = await rig.gw.get("")
        assert full["sensors"] == sensors
        new = await rig.gw.get("/sensors/new")
        assert set(new) - {"lastscan"} == set(sensors)


async def test_join_announces_each_sensor_with_an_added_event(tmp_path):
    async with sensors_rig(tmp_path) as rig, rig.gw.websocket() as ws:
        r = await rig.gw.http.post(rig.gw.url("/sensors"))
        assert r.json() == [{"success": {"/sensors": "Searching for new devices"}}]
        seen: dict[str, str] = {}
        while len(seen) < len(EXPECTED):
            event = await ws.next(lambda e: e.get("r") == "sensors" and e["e"] == "added", 30)
            seen[event["sensor"]["uniqueid"]] = event["sensor"]["type"]
            assert event["id"] == sensor_id(rig.gw, event["uniqueid"])
        assert seen == EXPECTED


async def test_button_press_reaches_the_websocket_within_100_ms_of_the_frame(paired):
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        sid = sensor_id(rig.gw, f"{DIMMER.upper()}-02-FC00")
        delays = []
        for button, number in (("on", 1), ("up", 2), ("down", 3), ("off", 4), ("on", 1)):
            mark = rig.emulator.frame_mark()
            await control(
                rig.emulator, cmd="press", ieee=DIMMER, button=button, event="short_release"
            )
            event = await ws.next(is_sensor_change(sid, "buttonevent"))
            received = time.time()
            assert event["state"]["buttonevent"] == number * 1000 + 2
            frame = next(
                f
                for f in rig.emulator.frames(mark)
                if isinstance(f.command, mt.AF.IncomingMsg.Callback)
                and f.command.ClusterId == 0xFC00
            )
            delays.append(received - frame.timestamp)
            assert (await rig.gw.get(f"/sensors/{sid}"))["state"][
                "buttonevent"
            ] == number * 1000 + 2
        print(f"button frame -> websocket: median {statistics.median(delays) * 1000:.1f} ms, "
              f"max {max(delays) * 1000:.1f} ms")  # fmt: skip
        # The same button twice in a row is two events (Home Assistant fires on each).
        assert statistics.median(delays) < 0.100


async def test_hue_dimmer_hold_and_long_release_follow_deconz_numbers(paired):
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        sid = sensor_id(rig.gw, f"{DIMMER.upper()}-02-FC00")
        for button, action, expected in (
            ("up", "press", 2000),
            ("up", "hold", 2001),
            ("up", "long_release", 2003),
            ("off", "short_release", 4002),
        ):
            await control(
                rig.emulator, cmd="press", ieee=DIMMER, button=button, event=action, duration=1.5
            )
            event = await ws.next(is_sensor_change(sid, "buttonevent"))
            assert event["state"]["buttonevent"] == expected


async def test_ikea_remote_buttons_follow_deconz_numbers(paired):
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        sid = sensor_id(rig.gw, f"{IKEA.upper()}-01-1000")
        for button, action, expected in (
            ("toggle", "press", 1002),
            ("up", "press", 2002),
            ("up", "hold", 2001),
            ("up", "release", 2003),
            ("down", "press", 3002),
            ("down", "hold", 3001),
            ("down", "release", 3003),
            ("left", "press", 4002),
            ("left", "hold", 4001),
            ("left", "release", 4003),
            ("right", "press", 5002),
            ("right", "hold", 5001),
            ("right", "release", 5003),
        ):
            await control(
                rig.emulator, cmd="press", ieee=IKEA, button=button, event=action, duration=1
            )
            event = await ws.next(is_sensor_change(sid, "buttonevent"))
            assert event["state"]["buttonevent"] == expected, (button, action)


async def test_readings_arrive_as_reports_without_polling(paired):
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        gw, emu = rig.gw, rig.emulator
        mark = emu.air_log.last_seq
        presence = sensor_id(gw, f"{MOTION.upper()}-02-0406")
        await control(emu, cmd="motion", ieee=MOTION, occupied=True)
        event = await ws.next(is_sensor_change(presence, "presence"))
        assert event["state"]["presence"] is True

        light = sensor_id(gw, f"{MOTION.upper()}-02-0400")
        await control(emu, cmd="illuminance", ieee=MOTION, lux=1000)
        event = await ws.next(is_sensor_change(light, "lightlevel"))
        assert event["state"]["lightlevel"] == 30001
        assert event["state"]["lux"] == 1000
        assert event["state"]["daylight"] is True and event["state"]["dark"] is False

        temperature = sensor_id(gw, f"{CLIMATE.upper()}-01-0402")
        await control(emu, cmd="temperature", ieee=CLIMATE, celsius=23.5)
        event = await ws.next(is_sensor_change(temperature, "temperature"))
        assert event["state"]["temperature"] == 2350

        humidity = sensor_id(gw, f"{CLIMATE.upper()}-01-0405")
        await control(emu, cmd="humidity", ieee=CLIMATE, percent=61.5)
        event = await ws.next(is_sensor_change(humidity, "humidity"))
        assert event["state"]["humidity"] == 6150

        contact = sensor_id(gw, f"{CONTACT.upper()}-01-0500")
        await control(emu, cmd="contact", ieee=CONTACT, open=True)
        event = await ws.next(is_sensor_change(contact, "open"))
        assert event["state"]["open"] is True
        body = await gw.get(f"/sensors/{contact}")
        assert body["state"]["open"] is True
        assert body["state"]["lastupdated"] != "none"

        # Nothing went down to a sleepy device while it reported: it was never polled.
        downlinks = [r for r in emu.air_log.records(mark) if r["dir"] == "down"]
        assert downlinks == []


async def test_battery_report_changes_config_and_is_announced(paired):
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        sid = sensor_id(rig.gw, f"{CLIMATE.upper()}-01-0402")
        await control(rig.emulator, cmd="battery", ieee=CLIMATE, percent=37)
        event = await ws.next(is_sensor_change(sid, "battery", where="config"))
        assert event["config"]["battery"] == 37
        assert (await rig.gw.get(f"/sensors/{sid}"))["config"]["battery"] == 37


async def test_restart_keeps_every_sensor_and_its_last_state(paired):
    async with sensors_rig(paired) as rig:
        gw = rig.gw
        await control(rig.emulator, cmd="press", ieee=DIMMER, button="off", event="short_release")
        await control(rig.emulator, cmd="temperature", ieee=CLIMATE, celsius=19.25)
        await control(rig.emulator, cmd="contact", ieee=CONTACT, open=True)
        contact = sensor_id(gw, f"{CONTACT.upper()}-01-0500")
        await until(lambda: gw.side.sensors.get(contact).state["open"] is True, timeout=5)
        temp = sensor_id(gw, f"{CLIMATE.upper()}-01-0402")
        await until(lambda: gw.side.sensors.get(temp).state["temperature"] == 1925, timeout=5)
        await gw.http.put(gw.url(f"/sensors/{temp}"), json={"name": "Hallway"})
        before = await gw.get("/sensors")
        gw = await rig.restart_gateway()
        after = await gw.get("/sensors")
        assert after == before
        dimmer = sensor_id(gw, f"{DIMMER.upper()}-02-FC00")
        assert after[dimmer]["state"]["buttonevent"] == 4002
        assert after[temp]["name"] == "Hallway"
        # The bindings live in the device: reports keep coming after the restart.
        await gw.running()
        async with gw.websocket() as ws:
            await control(rig.emulator, cmd="press", ieee=DIMMER, button="on", event="hold")
            event = await ws.next(is_sensor_change(dimmer, "buttonevent"))
            assert event["state"]["buttonevent"] == 1001


async def test_malformed_or_unknown_cluster_frames_are_logged_and_change_nothing(paired, caplog):
    caplog.set_level(logging.INFO, logger="gateway.zigbee.sensors")
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        gw, emu = rig.gw, rig.emulator
        before = await gw.get("/sensors")
        # A Hue button frame cut short; a Report Attributes with a truncated value; a
        # manufacturer cluster nobody knows.
        await control(
            emu, cmd="raw_frame", ieee=DIMMER, endpoint=2, cluster=0xFC00, data="1d0b1001000200"
        )
        await control(emu, cmd="raw_frame", ieee=CLIMATE, cluster=0x0402, data="18010a000029")
        await control(
            emu, cmd="raw_frame", ieee=MOTION, endpoint=2, cluster=0xFCAB, data="1d0b10010203"
        )
        await until(lambda: caplog.text.count("malformed frame") >= 2, timeout=5)
        await until(lambda: "cluster 0xFCAB not understood" in caplog.text, timeout=5)
        assert await gw.get("/sensors") == before
        # The next good frame still works: only the bad ones were lost.
        await control(emu, cmd="press", ieee=DIMMER, button="on", event="short_release")
        sid = sensor_id(gw, f"{DIMMER.upper()}-02-FC00")
        event = await ws.next(is_sensor_change(sid, "buttonevent"))
        assert event["state"]["buttonevent"] == 1002


async def test_duration_is_written_to_the_motion_sensor_when_it_is_next_heard(paired):
    async with sensors_rig(paired) as rig:
        gw, emu = rig.gw, rig.emulator
        sid = sensor_id(gw, f"{MOTION.upper()}-02-0406")
        r = await gw.http.put(gw.url(f"/sensors/{sid}/config"), json={"duration": 90})
        assert r.json() == [{"success": {f"/sensors/{sid}/config/duration": 90}}]
        occupancy = emu.device(MOTION).endpoints[2]
        assert occupancy.value(0x0406, "pir_o_to_u_delay") == 0  # nothing sent yet
        await control(emu, cmd="motion", ieee=MOTION, occupied=True)
        await until(lambda: occupancy.value(0x0406, "pir_o_to_u_delay") == 90, timeout=5)
        assert (await gw.get(f"/sensors/{sid}"))["config"]["duration"] == 90


async def test_a_device_that_leaves_makes_its_sensors_unreachable(paired):
    async with sensors_rig(paired) as rig, rig.gw.websocket() as ws:
        temperature = sensor_id(rig.gw, f"{CLIMATE.upper()}-01-0402")
        humidity = sensor_id(rig.gw, f"{CLIMATE.upper()}-01-0405")
        await control(rig.emulator, cmd="leave", ieee=CLIMATE)
        seen = set()
        while seen != {temperature, humidity}:
            event = await ws.next(lambda e: e.get("config", {}).get("reachable") is False)
            seen.add(event["id"])
        for sid in (temperature, humidity):
            assert (await rig.gw.get(f"/sensors/{sid}"))["config"]["reachable"] is False
        motion = sensor_id(rig.gw, f"{MOTION.upper()}-02-0406")
        assert (await rig.gw.get(f"/sensors/{motion}"))["config"]["reachable"] is True
