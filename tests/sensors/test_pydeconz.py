"""pydeconz (the library behind Home Assistant's deCONZ integration) against the gateway:
its own sensor objects are built from our full state and updated by our websocket events,
and their callbacks fire — what Home Assistant's sensors and ``deconz_event`` rely on."""

from __future__ import annotations

import asyncio

import aiohttp
from pydeconz import DeconzSession
from pydeconz.models.event import EventType
from pydeconz.websocket import State

from tests.helpers.waiting import until
from tests.sensors.rig import (
    CLIMATE,
    CONTACT,
    DIMMER,
    IKEA,
    MOTION,
    control,
    sensor_id,
    sensors_rig,
)


async def test_pydeconz_sensor_objects_follow_presses_and_readings(paired):
    async with sensors_rig(paired) as rig, aiohttp.ClientSession() as http:
        gw = rig.gw
        port = int(gw.base.rsplit(":", 1)[1])
        deconz = DeconzSession(http, "127.0.0.1", port, api_key=gw.key)
        await deconz.refresh_state()
        try:
            dimmer = deconz.sensors.switch[sensor_id(gw, f"{DIMMER.upper()}-02-FC00")]
            remote = deconz.sensors.switch[sensor_id(gw, f"{IKEA.upper()}-01-1000")]
            presence = deconz.sensors.presence[sensor_id(gw, f"{MOTION.upper()}-02-0406")]
            temperature = deconz.sensors.temperature[sensor_id(gw, f"{CLIMATE.upper()}-01-0402")]
            door = deconz.sensors.open_close[sensor_id(gw, f"{CONTACT.upper()}-01-0500")]
            assert dimmer.model_id == "RWL021" and dimmer.battery == 100
            assert presence.presence is False and door.open is False

            fired: list[str] = []
            for sensor in (dimmer, remote, presence, temperature, door):
                sensor.register_callback(lambda s=sensor: fired.append(s.resource_id))
            handler_events: list[tuple[EventType, str]] = []
            deconz.sensors.subscribe(lambda event, sid: handler_events.append((event, sid)))
            deconz.start()
            await until(lambda: deconz.websocket and deconz.websocket.state == State.RUNNING, 5)

            await control(rig.emulator, cmd="press", ieee=DIMMER, button="up", event="hold")
            await until(lambda: dimmer.button_event == 2001, timeout=5)
            assert "buttonevent" in dimmer.changed_keys and "state" in dimmer.changed_keys
            # Pressing the same button again is a second event (HA's deconz_event fires again).
            count = fired.count(dimmer.resource_id)
            await control(rig.emulator, cmd="press", ieee=DIMMER, button="up", event="hold")
            await until(lambda: fired.count(dimmer.resource_id) > count, timeout=5)

            await control(rig.emulator, cmd="press", ieee=IKEA, button="toggle", event="press")
            await until(lambda: remote.button_event == 1002, timeout=5)
            await control(rig.emulator, cmd="motion", ieee=MOTION, occupied=True)
            await until(lambda: presence.presence is True, timeout=5)
            await control(rig.emulator, cmd="temperature", ieee=CLIMATE, celsius=22.5)
            await until(lambda: temperature.scaled_temperature == 22.5, timeout=5)
            await control(rig.emulator, cmd="contact", ieee=CONTACT, open=True)
            await until(lambda: door.open is True, timeout=5)
            await control(rig.emulator, cmd="battery", ieee=CLIMATE, percent=40)
            await until(lambda: temperature.battery == 40, timeout=5)

            for sensor in (dimmer, remote, presence, temperature, door):
                assert sensor.resource_id in fired
            assert (EventType.CHANGED, dimmer.resource_id) in handler_events
        finally:
            deconz.close()
            await asyncio.sleep(0)


async def test_pydeconz_learns_a_new_sensor_from_the_added_event(tmp_path):
    async with sensors_rig(tmp_path) as rig, aiohttp.ClientSession() as http:
        gw = rig.gw
        port = int(gw.base.rsplit(":", 1)[1])
        deconz = DeconzSession(http, "127.0.0.1", port, api_key=gw.key)
        await deconz.refresh_state()
        assert list(deconz.sensors.switch.keys()) == []
        added: list[str] = []
        deconz.sensors.subscribe(lambda event, sid: added.append(sid), EventType.ADDED)
        deconz.start()
        try:
            await until(lambda: deconz.websocket and deconz.websocket.state == State.RUNNING, 5)
            await gw.http.post(gw.url("/sensors"))
            await until(lambda: len(deconz.sensors.switch.keys()) == 2, timeout=30)
            dimmer_id = sensor_id(gw, f"{DIMMER.upper()}-02-FC00")
            assert deconz.sensors.switch[dimmer_id].unique_id == f"{DIMMER.upper()}-02-FC00"
            assert dimmer_id in added
        finally:
            deconz.close()
            await asyncio.sleep(0)
