"""The virtual rig of ``make run`` includes one of each sensor and remote."""

from __future__ import annotations

from gateway.app.virtual import start_virtual_radio
from hil.emulators.znp.devices.spec import SENSOR_CYCLE


async def test_the_virtual_stick_of_make_run_has_one_of_each_sensor(tmp_path):
    path, kind, radio = await start_virtual_radio("virtual", tmp_path, lights=1)
    try:
        assert kind == "virtual" and path.endswith("ttyZNP")
        state = await radio.command("state")  # type: ignore[attr-defined]
        kinds = sorted(d["kind"] for d in state["devices"])
        assert kinds == sorted([*(k.value for k in SENSOR_CYCLE), "extended_color"])
    finally:
        await radio.stop()
