"""Scenario 9: a touchlink scan finds the lamp near the stick, and gives the radio back.

The virtual rig's touchlink target is an extended colour lamp in a foreign network on
channel 25 (not factory new, so it never joins ours by itself); on hardware
``GATEWAY_HIL_TOUCHLINK_TARGET`` names a touchlink-capable lamp within a metre or so of the
stick. Only a scan is done: identify and reset would act on a real lamp (docs/touchlink.md).

A ConBee/RaspBee cannot touchlink at all (no inter-PAN in its serial protocol): there the
scan scenario does not apply, and the gateway must say so with a 503 and leave the
network as it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from hil.api import Deconz, error_types, success_items, until
from hil.rig import Rig

pytestmark = pytest.mark.hil

SCAN_TIMEOUT = 30.0  # about 8 s with the ZLL timings (docs/touchlink.md)


NO_INTER_PAN = (
    "touchlink needs inter-PAN, which the deCONZ serial protocol of a ConBee/RaspBee lacks "
    "(hil/emulators/deconz/README.md); this file's deCONZ scenario checks the 503 instead"
)


@pytest.fixture
def touchlink_target(rig: Rig) -> str:
    if rig.zigbee.kind == "deconz":
        pytest.skip(NO_INTER_PAN)
    return rig.need(rig.zigbee.touchlink_target, rig.zigbee.missing_touchlink)


async def test_touchlink_scan_finds_the_target_and_returns_the_radio_to_the_network(
    rig: Rig, touchlink_target: str, paired: str, deconz: Deconz
) -> None:
    target = touchlink_target
    await until(deconz.radio_up, timeout=60, what="the radio running")
    light_id = await deconz.light_id(paired)
    channel = (await deconz.config())["zigbeechannel"]

    started = await deconz.post("touchlink/scan")
    assert success_items(started.json()) == {"/touchlink/scan": "ok"}, started.text
    scanning = await deconz.get("touchlink/scan")
    assert scanning["scanstate"] == "scanning", scanning
    busy = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert busy.status_code == 503 and error_types(busy.json()) == [951], busy.text

    async def finished() -> dict[str, Any] | None:
        scan = await deconz.get("touchlink/scan")
        return scan if scan["scanstate"] == "idle" else None

    scan = await until(finished, timeout=SCAN_TIMEOUT, step=0.25, what="the scan to finish")
    address = "0x" + target.replace(":", "").lower()
    found = [r for r in scan["result"].values() if r["address"].lower() == address]
    assert len(found) == 1, f"{address} not (or twice) in {scan['result']}"
    result = found[0]
    assert result["channel"] in range(11, 27) and isinstance(result["rssi"], int), result
    if rig.zigbee.touchlink_channel is not None:  # the rig knows where the target is (virtual)
        assert result["channel"] == rig.zigbee.touchlink_channel, result
        assert result["factorynew"] is False and result["panid"] != 0xFFFF, result
    assert scan["lastscan"] != "none"

    assert (await deconz.config())["zigbeechannel"] == channel
    response = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/on": True}, (
        "the light answers on the network channel after the scan"
    )


async def test_touchlink_on_a_deconz_stick_is_refused_with_503_and_the_network_goes_on(
    rig: Rig, paired: str, deconz: Deconz
) -> None:
    if rig.zigbee.kind != "deconz":
        pytest.skip("a ZNP stick does inter-PAN: the scan scenario runs on it instead")
    await until(deconz.radio_up, timeout=60, what="the radio running")
    light_id = await deconz.light_id(paired)
    channel = (await deconz.config())["zigbeechannel"]
    started = await deconz.post("touchlink/scan")
    read = await deconz.http.get(deconz.path("touchlink/scan"))
    for refused in (started, read):
        assert refused.status_code == 503, refused.text
        (item,) = refused.json()
        assert item["error"]["type"] == 950, item
        assert "inter-PAN" in item["error"]["description"], item
    assert (await deconz.config())["zigbeechannel"] == channel
    response = await deconz.put(f"lights/{light_id}/state", {"on": True})
    assert success_items(response.json()) == {f"/lights/{light_id}/state/on": True}, (
        "the light obeys: a refused touchlink leaves the radio on the network"
    )
