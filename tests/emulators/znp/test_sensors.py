"""Sleepy sensors and remotes: join, interview, bind + configure reporting, then report
what the control socket says happened. Driven by the unmodified zigpy-znp."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import zigpy.exceptions
import zigpy.types as zt
import zigpy_znp.commands as c

from hil.emulators.znp import DeviceKind, DeviceSpec, ZnpEmulator
from hil.emulators.znp.control import execute
from hil.emulators.znp.devices.sensor_kinds import LAYOUTS
from hil.emulators.znp.devices.spec import one_of_each_sensor, sensor_ieee

from .conftest import LIGHT_1, JoinedRig, Rig, eventually

DIMMER, IKEA, MOTION, CLIMATE, CONTACT = (sensor_ieee(i) for i in range(1, 6))


class Commands:
    """A zigpy cluster listener that keeps the cluster commands it hears."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, Any]] = []

    def cluster_command(self, tsn: int, command_id: int, args: Any) -> None:
        self.seen.append((command_id, args))


async def control(emu: ZnpEmulator, **request: Any) -> Any:
    answer = await execute(emu, json.dumps(request))
    assert answer["ok"], answer
    return answer["result"]


def uplinks(emu: ZnpEmulator, since: int, ieee: zt.EUI64) -> list[dict[str, Any]]:
    return [
        r for r in emu.air_log.records(since) if r["dir"] == "up" and r["src_ieee"] == str(ieee)
    ]


async def test_each_sensor_joins_and_is_interviewed_with_its_clusters(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=one_of_each_sensor())
    for spec in one_of_each_sensor():
        device = app.get_device(ieee=spec.ieee)
        assert device.node_desc.is_end_device and not device.node_desc.is_mains_powered
        assert (device.manufacturer, device.model) == (spec.manufacturer, spec.model)
        for layout in LAYOUTS[spec.kind]:
            ep = device.endpoints[layout.endpoint]
            assert (ep.profile_id, ep.device_type) == (layout.profile, layout.device_type)
            assert sorted(ep.in_clusters) == sorted(layout.in_clusters)
            assert sorted(ep.out_clusters) == sorted(layout.out_clusters)
    assert emu.device(MOTION).snapshot()["sleepy"] is True


async def test_sensor_sends_nothing_before_bind_and_configure(joined: JoinedRig) -> None:
    emu, _app = await joined(lights=0, devices=[DeviceSpec(MOTION, DeviceKind.MOTION_SENSOR)])
    mark = emu.air_log.last_seq
    await control(emu, cmd="motion", ieee=str(MOTION), occupied=True)
    await control(emu, cmd="temperature", ieee=str(MOTION), celsius=25.0)
    await asyncio.sleep(0.1)
    assert uplinks(emu, mark, MOTION) == []


async def test_motion_sensor_reports_occupancy_after_bind_and_configure(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(MOTION, DeviceKind.MOTION_SENSOR)])
    occupancy = app.get_device(ieee=MOTION).endpoints[2].occupancy
    bound = await occupancy.bind()
    assert bound[0] == 0  # ZDO SUCCESS
    await occupancy.configure_reporting("occupancy", 0, 300, 1)
    await control(emu, cmd="motion", ieee=str(MOTION), occupied=True)
    await eventually(lambda: occupancy.get("occupancy") == 1, timeout=2)
    await control(emu, cmd="motion", ieee=str(MOTION), occupied=False)
    await eventually(lambda: occupancy.get("occupancy") == 0, timeout=2)


async def test_configured_attribute_is_the_only_one_reported(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(MOTION, DeviceKind.MOTION_SENSOR)])
    ep = app.get_device(ieee=MOTION).endpoints[2]
    await ep.illuminance.bind()
    await ep.temperature.bind()  # bound, but reporting never configured
    await ep.illuminance.configure_reporting("measured_value", 0, 600, 0)
    mark = emu.air_log.last_seq
    await control(emu, cmd="temperature", ieee=str(MOTION), celsius=30.0)
    await control(emu, cmd="illuminance", ieee=str(MOTION), lux=1000)
    await eventually(lambda: ep.illuminance.get("measured_value") == 30001, timeout=2)
    clusters = {r["cluster"] for r in uplinks(emu, mark, MOTION)}
    assert clusters == {0x0400}


async def test_reportable_change_suppresses_small_changes(joined: JoinedRig) -> None:
    emu, app = await joined(
        lights=0, devices=[DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY)]
    )
    temperature = app.get_device(ieee=CLIMATE).endpoints[1].temperature
    await temperature.bind()
    await temperature.configure_reporting("measured_value", 0, 600, 50)  # 0.5 °C
    await control(emu, cmd="temperature", ieee=str(CLIMATE), celsius=22.0)
    await eventually(lambda: temperature.get("measured_value") == 2200, timeout=2)
    mark = emu.air_log.last_seq
    await control(emu, cmd="temperature", ieee=str(CLIMATE), celsius=22.3)  # < 0.5 °C
    await asyncio.sleep(0.1)
    assert uplinks(emu, mark, CLIMATE) == []
    await control(emu, cmd="temperature", ieee=str(CLIMATE), celsius=21.5)
    await eventually(lambda: temperature.get("measured_value") == 2150, timeout=2)


async def test_temperature_and_humidity_in_hundredths(joined: JoinedRig) -> None:
    emu, app = await joined(
        lights=0, devices=[DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY)]
    )
    ep = app.get_device(ieee=CLIMATE).endpoints[1]
    for cluster in (ep.temperature, ep.humidity):
        await cluster.bind()
        await cluster.configure_reporting("measured_value", 0, 600, 0)
    await control(emu, cmd="temperature", ieee=str(CLIMATE), celsius=-5.25)
    await control(emu, cmd="humidity", ieee=str(CLIMATE), percent=55.5)
    await eventually(lambda: ep.temperature.get("measured_value") == -525, timeout=2)
    await eventually(lambda: ep.humidity.get("measured_value") == 5550, timeout=2)


async def test_battery_reports_percentage_in_half_percent_and_voltage(joined: JoinedRig) -> None:
    emu, app = await joined(
        lights=0, devices=[DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY)]
    )
    power = app.get_device(ieee=CLIMATE).endpoints[1].power
    await power.bind()
    await power.configure_reporting("battery_percentage_remaining", 0, 3600, 2)
    await power.configure_reporting("battery_voltage", 0, 3600, 1)
    await control(emu, cmd="battery", ieee=str(CLIMATE), percent=50)
    await eventually(lambda: power.get("battery_percentage_remaining") == 100, timeout=2)
    await eventually(lambda: power.get("battery_voltage") == 26, timeout=2)


async def test_door_contact_enrols_then_notifies_its_cie(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(CONTACT, DeviceKind.DOOR_CONTACT)])
    ias = app.get_device(ieee=CONTACT).endpoints[1].ias_zone
    heard = Commands()
    ias.add_listener(heard)
    mark = emu.air_log.last_seq
    await control(emu, cmd="contact", ieee=str(CONTACT), open=True)  # not enrolled: silent
    await asyncio.sleep(0.1)
    assert uplinks(emu, mark, CONTACT) == []
    await ias.write_attributes({"cie_addr": app.state.node_info.ieee})
    await eventually(lambda: any(cmd == 0x01 for cmd, _ in heard.seen), timeout=2)
    [(_, enroll)] = [(cmd, args) for cmd, args in heard.seen if cmd == 0x01]
    assert enroll.zone_type == 0x0015  # contact switch
    await ias.enroll_response(0, 7)
    await control(emu, cmd="contact", ieee=str(CONTACT), open=False)
    await eventually(lambda: any(cmd == 0x00 for cmd, _ in heard.seen), timeout=2)
    [(_, note)] = [(cmd, args) for cmd, args in heard.seen if cmd == 0x00]
    assert int(note.zone_status) & 0x0001 == 0 and note.zone_id == 7
    await control(emu, cmd="contact", ieee=str(CONTACT), open=True)
    await eventually(lambda: len([c for c, _ in heard.seen if c == 0x00]) == 2, timeout=2)
    assert int(heard.seen[-1][1].zone_status) & 0x0001 == 1


async def test_hue_dimmer_sends_fc00_button_events_once_bound(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(DIMMER, DeviceKind.HUE_DIMMER)])
    device = app.get_device(ieee=DIMMER)
    result = await control(emu, cmd="press", ieee=str(DIMMER), button="on", event="press")
    assert result["frames"] == 0  # nothing bound yet
    await device.endpoints[2].in_clusters[0xFC00].bind()
    mark = emu.frame_mark()
    await control(emu, cmd="press", ieee=str(DIMMER), button="up", event="hold", duration=1.0)
    await eventually(
        lambda: any(
            isinstance(r.command, c.AF.IncomingMsg.Callback) and r.command.ClusterId == 0xFC00
            for r in emu.frames(mark)
        ),
        timeout=2,
    )
    [msg] = [
        r.command
        for r in emu.frames(mark)
        if isinstance(r.command, c.AF.IncomingMsg.Callback) and r.command.ClusterId == 0xFC00
    ]
    data = bytes(msg.Data)
    assert data[0] == 0x1D  # cluster-specific, manufacturer-specific, server->client, no DR
    assert int.from_bytes(data[1:3], "little") == 0x100B and data[4] == 0x00
    assert data[5:] == bytes([2, 0x30, 0, 0, 1, 0x21, 8, 0])  # up, hold, 8/8 s
    assert msg.SrcEndpoint == 2


async def test_hue_dimmer_on_button_sends_on_to_a_bound_coordinator(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(DIMMER, DeviceKind.HUE_DIMMER)])
    on_off = app.get_device(ieee=DIMMER).endpoints[1].out_clusters[0x0006]
    heard = Commands()
    on_off.add_listener(heard)
    await on_off.bind()
    await control(emu, cmd="press", ieee=str(DIMMER), button="on", event="short_release")
    await eventually(lambda: heard.seen != [], timeout=2)
    assert [cmd for cmd, _ in heard.seen] == [0x01]


async def test_unbound_ikea_remote_toggles_the_lamps_of_its_group(joined: JoinedRig) -> None:
    emu, app = await joined(lights=1, devices=[DeviceSpec(IKEA, DeviceKind.IKEA_REMOTE)])
    group = emu.device(IKEA).snapshot()["group"]
    await app.get_device(ieee=LIGHT_1).endpoints[11].add_to_group(group, "remote")
    lamp = emu.device(LIGHT_1).endpoint
    before = lamp.value(0x0006, "on_off")
    mark = emu.air_log.last_seq
    await control(emu, cmd="press", ieee=str(IKEA), button="toggle", event="press")
    await eventually(lambda: lamp.value(0x0006, "on_off") is (not before), timeout=2)
    [frame] = uplinks(emu, mark, IKEA)
    assert (frame["dst_mode"], frame["dst"], frame["cluster"]) == ("group", group, 0x0006)


async def test_bound_ikea_remote_sends_its_commands_to_the_coordinator(joined: JoinedRig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(IKEA, DeviceKind.IKEA_REMOTE)])
    ep = app.get_device(ieee=IKEA).endpoints[1]
    level, scenes = Commands(), Commands()
    ep.out_clusters[0x0008].add_listener(level)
    ep.out_clusters[0x0005].add_listener(scenes)
    await ep.out_clusters[0x0008].bind()
    await ep.out_clusters[0x0005].bind()
    await control(emu, cmd="press", ieee=str(IKEA), button="up", event="press")
    await control(emu, cmd="press", ieee=str(IKEA), button="down", event="hold")
    await control(emu, cmd="press", ieee=str(IKEA), button="down", event="release")
    await eventually(lambda: len(level.seen) == 3, timeout=2)
    assert [cmd for cmd, _ in level.seen] == [0x06, 0x01, 0x03]
    step = level.seen[0][1]
    assert (step.step_mode, step.step_size, step.transition_time) == (0, 43, 5)
    mark = emu.air_log.last_seq
    await control(emu, cmd="press", ieee=str(IKEA), button="left", event="press")
    await eventually(lambda: uplinks(emu, mark, IKEA) != [], timeout=2)
    [frame] = uplinks(emu, mark, IKEA)
    data = bytes.fromhex(frame["data"])
    assert frame["cluster"] == 0x0005 and data[0] & 0x04  # manufacturer-specific
    assert int.from_bytes(data[1:3], "little") == 0x117C and data[4] == 0x07
    assert data[5:] == bytes([0x01, 0x01, 13, 0])  # 257 (left), 13, 0


async def test_asleep_sensor_misses_reads_that_outlast_the_parent_queue(
    joined: JoinedRig,
) -> None:
    spec = DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY, awake_time=2.0, poll_interval=60)
    emu, app = await joined(lights=0, devices=[spec])
    temperature = app.get_device(ieee=CLIMATE).endpoints[1].temperature
    values, _ = await temperature.read_attributes(["measured_value"])  # still awake
    assert values["measured_value"] == 2100
    await eventually(lambda: not emu.device(CLIMATE).snapshot()["awake"], timeout=6)
    with pytest.raises(zigpy.exceptions.DeliveryError, match="MAC_TRANSACTION_EXPIRED"):
        await temperature.read_attributes(["measured_value"])
    await control(emu, cmd="wake", ieee=str(CLIMATE))  # e.g. a button on the device
    values, _ = await temperature.read_attributes(["measured_value"])
    assert values["measured_value"] == 2100


async def test_asleep_sensor_answers_at_its_next_poll(joined: JoinedRig) -> None:
    spec = DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY, awake_time=0.5, poll_interval=0.2)
    emu, app = await joined(lights=0, devices=[spec])
    await eventually(lambda: not emu.device(CLIMATE).snapshot()["awake"], timeout=3)
    temperature = app.get_device(ieee=CLIMATE).endpoints[1].temperature
    values, _ = await temperature.read_attributes(["measured_value"])
    assert values["measured_value"] == 2100


async def test_raw_frames_reach_the_host_unchanged(joined: JoinedRig) -> None:
    emu, _app = await joined(lights=0, devices=[DeviceSpec(MOTION, DeviceKind.MOTION_SENSOR)])
    mark = emu.frame_mark()
    await control(emu, cmd="raw_frame", ieee=str(MOTION), cluster="0xfff0", data="01ff")
    await control(emu, cmd="raw_frame", ieee=str(MOTION), cluster=6, endpoint=2, data="18")
    await eventually(
        lambda: (
            len([r for r in emu.frames(mark) if isinstance(r.command, c.AF.IncomingMsg.Callback)])
            == 2
        ),
        timeout=2,
    )
    got = [
        (r.command.ClusterId, r.command.SrcEndpoint, bytes(r.command.Data))
        for r in emu.frames(mark)
        if isinstance(r.command, c.AF.IncomingMsg.Callback)
    ]
    assert got == [(0xFFF0, 2, b"\x01\xff"), (0x0006, 2, b"\x18")]


async def test_control_rejects_bad_sensor_requests(joined: JoinedRig) -> None:
    emu, _app = await joined(lights=1, devices=[DeviceSpec(DIMMER, DeviceKind.HUE_DIMMER)])
    cases = [
        ({"cmd": "press", "ieee": str(LIGHT_1), "button": "on"}, "not a sensor"),
        ({"cmd": "press", "ieee": str(DIMMER), "button": "play"}, "button must be one of"),
        ({"cmd": "press", "ieee": str(DIMMER), "button": "on", "event": "x"}, "event must be"),
        ({"cmd": "motion", "ieee": str(DIMMER), "occupied": True}, "no cluster 0x0406"),
        ({"cmd": "temperature", "ieee": str(DIMMER), "celsius": "hot"}, "must be a number"),
        ({"cmd": "battery", "ieee": str(DIMMER), "percent": 101}, "0..100"),
        ({"cmd": "raw_frame", "ieee": str(DIMMER), "cluster": 6, "data": "zz"}, "hex"),
    ]
    for request, message in cases:
        answer = await execute(emu, json.dumps(request))
        assert answer["ok"] is False and message in answer["error"], (request, answer)


async def test_bindings_and_reporting_survive_an_emulator_restart(
    joined: JoinedRig, rig: Rig
) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(MOTION, DeviceKind.MOTION_SENSOR)])
    occupancy = app.get_device(ieee=MOTION).endpoints[2].occupancy
    await occupancy.bind()
    await occupancy.configure_reporting("occupancy", 0, 300, 1)
    await app.shutdown()
    rig.apps.remove(app)
    await emu.stop()
    rig.emulators.remove(emu)
    again = await rig.emulator(config=emu.config)
    await rig.app(again)
    mark = again.air_log.last_seq
    await control(again, cmd="motion", ieee=str(MOTION), occupied=True)
    await eventually(lambda: uplinks(again, mark, MOTION) != [], timeout=2)
    # (zigpy, not knowing the sensor after its restart, also asks for its IEEE address)
    [frame] = [r for r in uplinks(again, mark, MOTION) if r["profile"] != 0]
    assert (frame["cluster"], frame["src_ep"], frame["dst_mode"]) == (0x0406, 2, "nwk")


async def test_configured_attribute_is_reported_every_maximum_interval(joined: JoinedRig) -> None:
    emu, app = await joined(
        lights=0, devices=[DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY)]
    )
    power = app.get_device(ieee=CLIMATE).endpoints[1].power
    await power.bind()
    await power.configure_reporting("battery_percentage_remaining", 0, 1, 2)  # at most 1 s
    mark = emu.air_log.last_seq
    loop = asyncio.get_running_loop()
    start = loop.time()
    await eventually(lambda: len(uplinks(emu, mark, CLIMATE)) >= 2, timeout=4)
    assert loop.time() - start >= 1.5  # two intervals, not a burst
    assert {r["cluster"] for r in uplinks(emu, mark, CLIMATE)} == {0x0001}
    assert power.get("battery_percentage_remaining") == 200  # unchanged 100 %, re-sent
    await power.configure_reporting("battery_percentage_remaining", 0, 0xFFFF, 2)  # off
    mark = emu.air_log.last_seq
    await asyncio.sleep(1.3)
    assert uplinks(emu, mark, CLIMATE) == []


async def test_ias_enrolment_survives_an_emulator_restart(joined: JoinedRig, rig: Rig) -> None:
    emu, app = await joined(lights=0, devices=[DeviceSpec(CONTACT, DeviceKind.DOOR_CONTACT)])
    ias = app.get_device(ieee=CONTACT).endpoints[1].ias_zone
    await ias.write_attributes({"cie_addr": app.state.node_info.ieee})
    await ias.enroll_response(0, 9)
    await app.shutdown()
    rig.apps.remove(app)
    await emu.stop()
    rig.emulators.remove(emu)
    again = await rig.emulator(config=emu.config)
    await rig.app(again)
    mark = again.air_log.last_seq
    await control(again, cmd="contact", ieee=str(CONTACT), open=True)
    await eventually(lambda: uplinks(again, mark, CONTACT) != [], timeout=2)
    [frame] = [r for r in uplinks(again, mark, CONTACT) if r["profile"] != 0]
    data = bytes.fromhex(frame["data"])
    assert frame["cluster"] == 0x0500 and data[2] == 0x00  # Zone Status Change Notification
    assert data[3:5] == b"\x01\x00" and data[6] == 9  # Alarm1 (open), zone id 9
    snapshot = again.device(CONTACT).snapshot()
    assert snapshot["endpoints"][0]["clusters"]["0x0500"]["attributes"]["cie_addr"] == str(
        app.state.node_info.ieee
    )


async def test_sleeping_sensor_without_battery_lets_frames_expire(joined: JoinedRig) -> None:
    emu, app = await joined(
        lights=0, devices=[DeviceSpec(CLIMATE, DeviceKind.TEMPERATURE_HUMIDITY)]
    )
    emu.set_online(CLIMATE, False)  # battery out
    temperature = app.get_device(ieee=CLIMATE).endpoints[1].temperature
    with pytest.raises(zigpy.exceptions.DeliveryError, match="MAC_TRANSACTION_EXPIRED"):
        await temperature.read_attributes(["measured_value"])
