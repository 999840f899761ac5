"""Touchlink end to end: HTTP through uvicorn -> touchlink service -> zigpy-znp's ZNP on a
real pty -> inter-PAN MT frames -> touchlink targets in the emulator, and back.

One rig serves the module: the template network on channel 15 with its four paired lamps
(three of them touchlink-capable, so they answer too) and four targets of our own on
channels 11, 20 (two) and 26. Tests here do not change a target; resets are in
test_touchlink_reset.py.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
import pytest_asyncio
import zigpy_znp.commands as mt
import zigpy_znp.types as t
from zigpy.zcl import foundation
from zigpy.zcl.clusters.lightlink import LightLink

from gateway.domain.radio import RadioState
from gateway.zigbee.touchlink import channel_order
from hil.emulators.znp import DeviceKind
from tests.zigbee.rig import ieee, until
from tests.zigbee.touchlink_rig import (
    NETWORK_CHANNEL,
    TouchlinkRig,
    sent,
    target,
    touchlink_requests,
    touchlink_rig,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

T11 = target("00:17:88:01:7c:00:00:01", 11, DeviceKind.COLOR_TEMPERATURE)
T20_OWNED = target("00:17:88:01:7c:00:00:02", 20, DeviceKind.EXTENDED_COLOR, factory_new=False)
T20_NEW = target("00:17:88:01:7c:00:00:03", 20, DeviceKind.DIMMABLE)
T26 = target("00:17:88:01:7c:00:00:04", 26, DeviceKind.DIMMABLE)
TARGETS = [T11, T20_OWNED, T20_NEW, T26]
SCAN_ORDER = [11, 15, 20, 25, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24, 26]
PAIRED_LAMPS = [ieee(1), ieee(2), ieee(3)]  # lamp 4 is a plug: no touchlink


def address(eui: Any) -> str:
    return "0x" + str(eui).replace(":", "")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory):
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("touchlink")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with touchlink_rig(directory, TARGETS) as rig:
        yield rig


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def scanned(rig: TouchlinkRig):
    """One scan for the tests that only read its results and what went over the wire."""
    await rig.gw.wait_released()
    mark = rig.emulator.frame_mark()
    body = await rig.gw.scan()
    await rig.gw.wait_released()
    return body, rig.emulator.frames(since=mark)


# -- the scan ----------------------------------------------------------------------------------


async def test_one_scan_finds_every_target_on_every_channel(scanned):
    body, _ = scanned
    found = {item["address"]: item for item in body["result"].values()}
    expected = {address(s.ieee): s for s in TARGETS} | {a: None for a in map(address, PAIRED_LAMPS)}
    assert set(found) == set(expected)
    for spec in TARGETS:
        item = found[address(spec.ieee)]
        assert item["channel"] == spec.channel
        assert item["factorynew"] is spec.factory_new
    for lamp in PAIRED_LAMPS:
        assert found[address(lamp)]["channel"] == NETWORK_CHANNEL
        assert found[address(lamp)]["factorynew"] is False


async def test_both_targets_on_one_channel_are_found_not_only_the_first(scanned):
    body, _ = scanned
    on_20 = {item["address"] for item in body["result"].values() if item["channel"] == 20}
    assert on_20 == {address(T20_OWNED.ieee), address(T20_NEW.ieee)}
    on_15 = {item["address"] for item in body["result"].values() if item["channel"] == 15}
    assert on_15 == set(map(address, PAIRED_LAMPS))


async def test_results_have_ids_from_1_in_scan_order_and_the_deconz_fields(scanned):
    body, _ = scanned
    assert body["scanstate"] == "idle"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["lastscan"])
    assert list(body["result"]) == [str(i) for i in range(1, 8)]
    order = channel_order()
    channels = [item["channel"] for item in body["result"].values()]
    assert channels == sorted(channels, key=order.index)
    for item in body["result"].values():
        assert set(item) == {"address", "factorynew", "channel", "panid", "rssi"}
        assert re.fullmatch(r"0x[0-9a-f]{16}", item["address"])
        assert isinstance(item["rssi"], int) and -100 <= item["rssi"] <= 10


async def test_pan_ids_are_the_targets_networks(rig, scanned):
    body, _ = scanned
    found = {item["address"]: item for item in body["result"].values()}
    owned = rig.emulator.device(T20_OWNED.ieee).membership
    assert owned is not None
    assert found[address(T20_OWNED.ieee)]["panid"] == owned.network.pan_id
    assert found[address(T11.ieee)]["panid"] == 0xFFFF  # factory new: in no network
    our_pan = rig.gw.supervisor.snapshot().pan_id
    assert found[address(ieee(1))]["panid"] == our_pan


async def test_channels_are_scanned_primary_first_with_five_requests_on_the_first(scanned):
    _, frames = scanned
    sets = [c for c in sent(frames, mt.AF.InterPanCtl.Req) if c.Command == t.InterPanCommand.Set]
    assert [c.Data[0] for c in sets] == SCAN_ORDER
    requests = touchlink_requests(frames)
    assert len(requests) == 5 + 15
    assert all(r.DstPanId == 0xFFFF and r.DstEndpoint == 0xFE for r in requests)
    assert all(r.DstAddrModeAddress.address == 0xFFFF for r in requests)  # broadcast


async def test_each_channel_gets_a_fresh_transaction_id(scanned):
    _, frames = scanned
    transactions = []
    for request in touchlink_requests(frames):
        header, payload = foundation.ZCLHeader.deserialize(bytes(request.Data))
        assert header.command_id == LightLink.ServerCommandDefs.scan.id
        assert header.frame_control.disable_default_response == 1
        assert header.frame_control.is_manufacturer_specific == 0
        assert header.direction == foundation.Direction.Client_to_Server
        args, _ = LightLink.ServerCommandDefs.scan.schema.deserialize(payload)
        transactions.append(int(args.inter_pan_transaction_id))
    assert len(set(transactions[:5])) == 1  # the five requests on channel 11 are one scan
    per_channel = [transactions[0], *transactions[5:]]
    assert len(set(per_channel)) == 16
    assert 0 not in transactions


async def test_the_network_channel_is_restored_after_the_scan(rig, scanned):
    _, frames = scanned
    controls = sent(frames, mt.AF.InterPanCtl.Req)
    assert controls[-1].Command == t.InterPanCommand.Clr
    state = rig.emulator.state()["coordinator"]
    assert state["interpan_channel"] is None
    assert state["air_channel"] == NETWORK_CHANNEL
    assert rig.gw.supervisor.state is RadioState.RUNNING


async def test_a_light_command_succeeds_after_the_scan(rig, scanned):
    light = rig.gw.light_id(1)
    for on in (False, True):
        r = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": on})
        assert r.json() == [{"success": {f"/lights/{light}/state/on": on}}]
        await until(lambda on=on: rig.emulator.device(ieee(1)).endpoint.value(6, "on_off") is on)


# -- while a scan runs ---------------------------------------------------------------------------


async def test_post_scan_answers_at_once_and_get_reports_scanning(rig):
    await rig.gw.wait_released()
    loop = asyncio.get_running_loop()
    start = loop.time()
    r = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
    assert loop.time() - start < 0.5  # a scan takes 20 windows of 80 ms here
    assert r.status_code == 200
    assert r.json() == [{"success": {"/touchlink/scan": "ok"}}]
    assert (await rig.gw.get("/touchlink/scan"))["scanstate"] == "scanning"
    assert rig.gw.supervisor.busy == "touchlink scan"
    await rig.gw.scan_finished()
    await rig.gw.wait_released()


async def test_light_command_and_permitjoin_answer_503_951_while_scanning(rig):
    await rig.gw.wait_released()
    r = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
    assert r.status_code == 200
    light = rig.gw.light_id(1)
    put = await rig.gw.http.put(rig.gw.url(f"/lights/{light}/state"), json={"on": True})
    permit = await rig.gw.http.put(rig.gw.url("/config"), json={"permitjoin": 60})
    assert (await rig.gw.get("/touchlink/scan"))["scanstate"] == "scanning"
    for response in (put, permit):
        assert response.status_code == 503, response.text
        (item,) = response.json()
        assert item["error"]["type"] == 951
        assert "touchlink scan" in item["error"]["description"]
    assert (await rig.gw.get("/config"))["permitjoin"] == 0
    await rig.gw.scan_finished()
    await rig.gw.wait_released()


async def test_touchlink_requests_while_scanning_answer_503_951(rig, scanned):
    await rig.gw.wait_released()
    r = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
    assert r.status_code == 200
    again = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
    identify = await rig.gw.http.post(rig.gw.url("/touchlink/1/identify"))
    for response in (again, identify):
        assert response.status_code == 503
        assert response.json()[0]["error"]["type"] == 951
    await rig.gw.scan_finished()
    await rig.gw.wait_released()


async def test_results_fill_in_while_scanning_and_a_new_scan_replaces_them(rig):
    await rig.gw.wait_released()
    r = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
    assert r.status_code == 200
    early = await until(
        lambda: _partial(rig), timeout=10, step=0.02
    )  # channel 11 answered, channel 26 not yet
    assert early["scanstate"] == "scanning"
    assert address(T26.ieee) not in {i["address"] for i in early["result"].values()}
    final = await rig.gw.scan_finished()
    assert len(final["result"]) == 7
    await rig.gw.wait_released()


async def _partial(rig: TouchlinkRig) -> dict[str, Any] | None:
    body = await rig.gw.get("/touchlink/scan")
    return body if body["result"] and body["scanstate"] == "scanning" else None


# -- identify ----------------------------------------------------------------------------------


async def test_identify_makes_the_target_blink(rig, scanned):
    await rig.gw.wait_released()
    rid = await rig.current_id(str(T11.ieee))
    device = rig.emulator.device(T11.ieee)
    assert not device.endpoint.identifying()
    r = await rig.gw.http.post(rig.gw.url(f"/touchlink/{rid}/identify"))
    assert r.status_code == 200, r.text
    assert r.json() == [{"success": {f"/touchlink/{rid}/identify": "ok"}}]
    assert device.endpoint.identifying()
    snapshot = next(d for d in rig.emulator.state()["devices"] if d["ieee"] == str(T11.ieee))
    assert snapshot["effect"] == "touchlink_identify"
    assert any("identifies" in line for line in rig.emulator.touchlink.log)
    await rig.gw.wait_released()
    assert rig.emulator.state()["coordinator"]["air_channel"] == NETWORK_CHANNEL


async def test_identify_targets_only_the_chosen_device(rig, scanned):
    await rig.gw.wait_released()
    rid = await rig.current_id(str(T20_NEW.ieee))
    neighbour = rig.emulator.device(T20_OWNED.ieee)
    r = await rig.gw.http.post(rig.gw.url(f"/touchlink/{rid}/identify"))
    assert r.status_code == 200, r.text
    assert rig.emulator.device(T20_NEW.ieee).endpoint.identifying()
    assert not neighbour.endpoint.identifying()
    await rig.gw.wait_released()


async def test_unknown_ids_are_404_error_3(rig, scanned):
    await rig.gw.wait_released()
    for rid in ("99", "0", "01", "abc"):
        for command in ("identify", "reset"):
            r = await rig.gw.http.post(rig.gw.url(f"/touchlink/{rid}/{command}"))
            assert r.status_code == 404, r.text
            assert r.json() == [
                {
                    "error": {
                        "type": 3,
                        "address": f"/touchlink/{rid}",
                        "description": f"resource, /touchlink/{rid}, not available",
                    }
                }
            ]
    assert rig.gw.supervisor.busy is None
