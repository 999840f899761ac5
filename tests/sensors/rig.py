"""The sensors rig: the ZNP emulator with one of each sensor and remote (plus lamps when
asked), the unmodified zigpy-znp, the gateway's Zigbee side and the deCONZ API and
websocket on real uvicorn sockets (``tests/zigbee/rig.py``'s gateway). Only timings are
shortened; nothing is faked.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from hil.emulators.znp import EmulatorConfig, Timing, ZnpEmulator
from hil.emulators.znp.control import execute
from hil.emulators.znp.devices.spec import one_of_each_sensor, sensor_ieee
from tests.helpers.waiting import until
from tests.zigbee.rig import FAST, Gateway, Rig

DIMMER, IKEA, MOTION, CLIMATE, CONTACT = (str(sensor_ieee(i)) for i in range(1, 6))
# Sensors per device (deCONZ: one per endpoint and cluster): 7 in all.
EXPECTED = {
    f"{DIMMER.upper()}-02-FC00": "ZHASwitch",
    f"{IKEA.upper()}-01-1000": "ZHASwitch",
    f"{MOTION.upper()}-02-0406": "ZHAPresence",
    f"{MOTION.upper()}-02-0400": "ZHALightLevel",
    f"{MOTION.upper()}-02-0402": "ZHATemperature",
    f"{CLIMATE.upper()}-01-0402": "ZHATemperature",
    f"{CLIMATE.upper()}-01-0405": "ZHAHumidity",
    f"{CONTACT.upper()}-01-0500": "ZHAOpenClose",
}


def emulator_config(tmp: Path, lights: int = 0) -> EmulatorConfig:
    return EmulatorConfig(
        link=tmp / "ttyZNP",
        state_file=tmp / "znp-state.json",
        lights=lights,
        devices=one_of_each_sensor(),
        timing=Timing.fast(),
        seed=11,
    )


async def control(emu: ZnpEmulator, **request: Any) -> Any:
    """One control command, as ``--control`` clients send it."""
    answer = await execute(emu, json.dumps(request))
    assert answer["ok"], answer
    return answer["result"]


def sensor_id(gw: Gateway, uniqueid: str) -> str:
    sensor = gw.side.sensors.by_uniqueid(uniqueid)
    assert sensor is not None, uniqueid
    return sensor.rid


async def pair_sensors(gw: Gateway, count: int = len(EXPECTED), timeout: float = 30.0) -> Any:
    """POST /sensors (search) and wait until ``count`` sensors are listed and every device
    has had its bindings and reporting set up."""
    r = await gw.http.post(gw.url("/sensors"))
    assert r.status_code == 200, r.text

    async def listed() -> Any:
        body = await gw.get("/sensors")
        return body if len(body) >= count else None

    body = await until(listed, timeout=timeout, step=0.05)
    await until(lambda: not gw.side.sensor_radio.busy, timeout=timeout)
    return body


@contextlib.asynccontextmanager
async def sensors_rig(tmp: Path, *, lights: int = 0, search: bool = False) -> AsyncIterator[Rig]:
    """The rig in ``tmp``; with ``search`` the sensors are paired through POST /sensors
    (a directory from the ``paired`` fixture already holds them)."""
    emulator = ZnpEmulator(emulator_config(tmp, lights))
    path = await emulator.start()
    gateway = await Gateway(tmp, path, FAST).start()
    rig = Rig(tmp, emulator, gateway)
    try:
        await gateway.running()
        if search:
            await pair_sensors(gateway)
        yield rig
    finally:
        await rig.gateway.stop()
        await emulator.stop()
