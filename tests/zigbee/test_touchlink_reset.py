"""Touchlink reset and the faults around touchlink, end to end (HTTP, zigpy-znp, emulator).

Each test starts its own rig from the paired template: a reset changes a target for good,
and the fault tests unplug the stick.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.radio import RadioState
from hil.emulators.znp import DeviceKind
from tests.zigbee.rig import FAST, ieee, until
from tests.zigbee.touchlink_rig import (
    NETWORK_CHANNEL,
    TouchlinkGateway,
    TouchlinkRig,
    target,
    touchlink_rig,
)

T11 = target("00:17:88:01:7c:00:00:01", 11, DeviceKind.COLOR_TEMPERATURE)
T20_OWNED = target("00:17:88:01:7c:00:00:02", 20, DeviceKind.EXTENDED_COLOR, factory_new=False)


def on_network_channel(rig: TouchlinkRig) -> bool:
    coordinator = rig.emulator.state()["coordinator"]
    return coordinator["interpan_channel"] is None and coordinator["air_channel"] == NETWORK_CHANNEL


# -- reset -------------------------------------------------------------------------------------


async def test_reset_makes_a_target_of_a_foreign_network_factory_new(paired):
    async with touchlink_rig(paired, [T11, T20_OWNED]) as rig:
        device = rig.emulator.device(T20_OWNED.ieee)
        assert not device.factory_new
        body = await rig.gw.scan()
        rid = rig.result_id(body, str(T20_OWNED.ieee))
        assert body["result"][rid]["factorynew"] is False
        await rig.gw.wait_released()
        r = await rig.gw.http.post(rig.gw.url(f"/touchlink/{rid}/reset"))
        assert r.status_code == 200, r.text
        assert r.json() == [{"success": {f"/touchlink/{rid}/reset": "ok"}}]
        await until(lambda: device.factory_new, timeout=2)
        assert any("reset to factory new" in line for line in rig.emulator.touchlink.log)
        assert rig.emulator.device(T11.ieee).factory_new  # its neighbour untouched
        await rig.gw.wait_released()
        assert on_network_channel(rig)
        again = await rig.gw.scan()
        assert again["result"][rig.result_id(again, str(T20_OWNED.ieee))]["factorynew"] is True


async def test_reset_of_a_light_we_know_makes_it_unreachable(paired):
    async with touchlink_rig(paired, []) as rig:
        light = rig.gw.light_id(1)
        assert (await rig.gw.get(f"/lights/{light}"))["state"]["reachable"] is True
        body = await rig.gw.scan()
        rid = rig.result_id(body, ieee(1))
        assert body["result"][rid]["channel"] == NETWORK_CHANNEL
        await rig.gw.wait_released()
        r = await rig.gw.http.post(rig.gw.url(f"/touchlink/{rid}/reset"))
        assert r.status_code == 200, r.text
        assert (await rig.gw.get(f"/lights/{light}"))["state"]["reachable"] is False
        await until(lambda: rig.emulator.device(ieee(1)).factory_new, timeout=2)
        other = rig.gw.light_id(2)
        assert (await rig.gw.get(f"/lights/{other}"))["state"]["reachable"] is True
        await rig.gw.wait_released()
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{other}/state"), json={"on": False})
        assert r.json() == [{"success": {f"/lights/{other}/state/on": False}}]


async def test_a_target_that_does_not_answer_is_error_202_and_nothing_is_sent(paired):
    async with touchlink_rig(paired, [T11]) as rig:
        body = await rig.gw.scan()
        rid = rig.result_id(body, str(T11.ieee))
        await rig.gw.wait_released()
        rig.emulator.set_online(T11.ieee, False)
        r = await rig.gw.http.post(rig.gw.url(f"/touchlink/{rid}/identify"))
        assert r.status_code == 200  # as deCONZ answers 202 for lights
        assert r.json() == [
            {
                "error": {
                    "type": 202,
                    "address": f"/touchlink/{rid}",
                    "description": f"resource, /touchlink/{rid}, is not modifiable. "
                    "Device is not reachable.",
                }
            }
        ]
        assert not any("identifies" in line for line in rig.emulator.touchlink.log)
        await rig.gw.wait_released()
        assert on_network_channel(rig)
        assert rig.gw.supervisor.state is RadioState.RUNNING


# -- the radio goes away -----------------------------------------------------------------------


async def test_unplugging_during_a_scan_ends_it_without_a_server_error(paired):
    async with touchlink_rig(paired, [T11, T20_OWNED]) as rig:
        r = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
        assert r.status_code == 200
        await until(lambda: _has_results(rig), timeout=5)  # channel 11 done, still scanning
        rig.emulator.unplug()
        statuses: list[int] = []

        async def idle() -> dict[str, Any] | None:
            response = await rig.gw.http.get(rig.gw.url("/touchlink/scan"))
            statuses.append(response.status_code)
            body = response.json()
            return body if body["scanstate"] == "idle" else None

        body = await until(idle, timeout=15, step=0.05)
        assert set(statuses) == {200}
        assert body["result"]["1"]["address"] == "0x" + str(T11.ieee).replace(":", "")
        await rig.gw.wait_released()
        assert rig.gw.supervisor.busy is None
        # The radio comes back and touchlink works again.
        await rig.emulator.replug()
        await rig.gw.running()
        again = await rig.gw.scan()
        assert {item["channel"] for item in again["result"].values()} >= {11, 15, 20}
        await rig.gw.wait_released()
        assert on_network_channel(rig)


async def _has_results(rig: TouchlinkRig) -> bool:
    body = await rig.gw.get("/touchlink/scan")
    return bool(body["result"]) and body["scanstate"] == "scanning"


async def test_touchlink_commands_answer_503_950_while_the_radio_is_down(paired):
    async with touchlink_rig(paired, [T11]) as rig:
        body = await rig.gw.scan()
        rid = rig.result_id(body, str(T11.ieee))
        await rig.gw.wait_released()
        rig.emulator.unplug()
        await until(lambda: not rig.gw.supervisor.reachable, timeout=5)
        for path in ("/touchlink/scan", f"/touchlink/{rid}/identify", f"/touchlink/{rid}/reset"):
            r = await rig.gw.http.post(rig.gw.url(path))
            assert r.status_code == 503, (path, r.text)
            assert r.json()[0]["error"]["type"] == 950
        # The last results stay readable.
        still = await rig.gw.get("/touchlink/scan")
        assert still["result"] == body["result"]
        assert still["scanstate"] == "idle"


# -- a radio without inter-PAN ------------------------------------------------------------------


async def test_a_deconz_radio_answers_503_with_the_reason_for_every_touchlink_call(tmp_path):
    gateway = TouchlinkGateway(tmp_path, str(tmp_path / "no-such-tty"), FAST, kind="deconz")
    await gateway.start()
    try:
        calls = [
            ("POST", "/touchlink/scan"),
            ("GET", "/touchlink/scan"),
            ("POST", "/touchlink/1/identify"),
            ("POST", "/touchlink/1/reset"),
        ]
        for method, path in calls:
            r = await gateway.http.request(method, gateway.url(path))
            assert r.status_code == 503, (method, path, r.text)
            (item,) = r.json()
            assert item["error"]["type"] == 950
            assert item["error"]["address"] == path
            assert "inter-PAN" in item["error"]["description"]
            assert "'deconz'" in item["error"]["description"]
        assert gateway.supervisor.busy is None
    finally:
        await gateway.stop()
