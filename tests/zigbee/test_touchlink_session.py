"""The touchlink algorithm over a scripted inter-PAN radio (unit tests; the emulator runs
the same session end to end in test_touchlink_e2e.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
import zigpy.types as zt
from hypothesis import given
from hypothesis import strategies as st
from zigpy.zcl import foundation
from zigpy.zcl.clusters.lightlink import (
    LightLink,
    LogicalType,
    ScanResponseInformation,
    ZigbeeInformation,
)

from gateway.domain.radio import RadioUnavailable
from gateway.domain.touchlink import ScanResult, TouchlinkTargetSilent
from gateway.zigbee.interpan_znp import rssi_from_lqi
from gateway.zigbee.touchlink import (
    TouchlinkSession,
    TouchlinkTiming,
    channel_order,
    random_transaction,
    scan_duration,
    scan_plan,
)
from gateway.zigbee.touchlink_frames import InterPanMessage

Server = LightLink.ServerCommandDefs
Client = LightLink.ClientCommandDefs
FAST = TouchlinkTiming(scan_window=0.02, restore_settle=0.0)


def scan_response(transaction: int, factory_new: bool = True, channel: int = 11) -> bytes:
    header = foundation.ZCLHeader.cluster(
        tsn=0, command_id=Client.scan_rsp.id, direction=foundation.Direction.Server_to_Client
    )
    body = Client.scan_rsp.schema(
        inter_pan_transaction_id=transaction,
        rssi_correction=0,
        zigbee_info=ZigbeeInformation(
            logical_type=LogicalType.Router, rx_on_when_idle=1, reserved=0
        ),
        touchlink_info=ScanResponseInformation(
            factory_new=int(factory_new),
            address_assignment=0,
            reserved1=0,
            touchlink_initiator=0,
            touchlink_priority_request=0,
            reserved2=0,
            profile_interop=1,
        ),
        key_bitmask=0x10,
        response_id=1,
        epid=zt.EUI64(bytes(8)),
        nwk_update_id=0,
        logical_channel=channel,
        pan_id=0xFFFF,
        nwk_addr=0xFFFF,
        num_sub_devices=0,
        total_group_ids=0,
    )
    return bytes(header.serialize()) + bytes(body.serialize())


@dataclass
class Target:
    ieee: str
    channel: int
    factory_new: bool = True
    online: bool = True


@dataclass
class ScriptedRadio:
    """An InterPanRadio whose targets answer every Scan Request on their channel."""

    targets: list[Target] = field(default_factory=list)
    channel: int | None = None  # None: the network channel
    sent: list[tuple[int | None, str | None, bytes]] = field(default_factory=list)
    tunes: list[int] = field(default_factory=list)
    restores: int = 0
    noise: list[bytes] = field(default_factory=list)  # frames "heard" after each request
    inbox: asyncio.Queue[InterPanMessage] = field(default_factory=asyncio.Queue)
    tsn: int = 0

    def next_tsn(self) -> int:
        self.tsn = (self.tsn + 1) % 256
        return self.tsn

    async def open(self) -> None:
        pass

    async def set_channel(self, channel: int) -> None:
        self.channel = channel
        self.tunes.append(channel)
        while not self.inbox.empty():
            self.inbox.get_nowait()

    async def restore_channel(self) -> None:
        self.channel = None
        self.restores += 1

    async def send(self, destination: str | None, frame: bytes) -> None:
        self.sent.append((self.channel, destination, frame))
        header, payload = foundation.ZCLHeader.deserialize(frame)
        if header.command_id != Server.scan.id:
            return
        args, _ = Server.scan.schema.deserialize(payload)
        for data in self.noise:
            self.inbox.put_nowait(InterPanMessage("00:00:00:00:00:00:00:99", 1, None, data))
        for target in self.targets:
            if target.online and target.channel == self.channel:
                data = scan_response(args.inter_pan_transaction_id, target.factory_new)
                self.inbox.put_nowait(InterPanMessage(target.ieee, 0xFFFF, -40, data))

    def close(self) -> None:
        pass

    def commands(self, command_id: int) -> list[tuple[int | None, str | None, bytes]]:
        return [
            s
            for s in self.sent
            if foundation.ZCLHeader.deserialize(s[2])[0].command_id == command_id
        ]


def transaction_of(frame: bytes) -> int:
    _, payload = foundation.ZCLHeader.deserialize(frame)
    return int.from_bytes(payload[:4], "little")


async def run_scan(radio: ScriptedRadio, timing: TouchlinkTiming = FAST) -> list[ScanResult]:
    found: list[ScanResult] = []
    session = TouchlinkSession(radio, timing)
    await session.scan(found.append)
    await session.finish()
    return found


# -- plan ------------------------------------------------------------------------------------


def test_channel_order_is_primary_channels_then_the_rest_each_once():
    order = channel_order()
    assert order[:4] == [11, 15, 20, 25]
    assert order[4:] == [12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24, 26]
    assert sorted(order) == list(range(11, 27))


def test_the_first_primary_channel_gets_five_requests_the_others_one():
    plan = scan_plan(TouchlinkTiming())
    assert plan[0] == (11, 5)
    assert all(count == 1 for _, count in plan[1:])
    assert [channel for channel, _ in plan] == channel_order()


def test_default_scan_takes_about_ten_seconds():
    timing = TouchlinkTiming()
    assert timing.scan_window == 0.25  # aplcScanTimeBaseDuration
    assert scan_duration(timing) == pytest.approx(20 * 0.25 + timing.restore_settle)
    assert 7 <= scan_duration(timing) <= 11


@given(st.integers(min_value=0, max_value=1000))
def test_random_transactions_are_32_bit_and_never_zero(_):
    assert 1 <= random_transaction() <= 0xFFFF_FFFF


@given(st.integers(min_value=0, max_value=255))
def test_rssi_estimate_is_monotonic_and_in_range(lqi):
    assert -97 <= rssi_from_lqi(lqi) <= 10
    assert rssi_from_lqi(lqi) <= rssi_from_lqi(min(lqi + 1, 255))


# -- scan -------------------------------------------------------------------------------------


async def test_scan_keeps_every_answer_on_a_channel():
    radio = ScriptedRadio(
        [
            Target("00:00:00:00:00:00:00:01", 20),
            Target("00:00:00:00:00:00:00:02", 20),
            Target("00:00:00:00:00:00:00:03", 20, factory_new=False),
        ]
    )
    found = await run_scan(radio)
    assert {(r.ieee, r.channel, r.factory_new) for r in found} == {
        ("00:00:00:00:00:00:00:01", 20, True),
        ("00:00:00:00:00:00:00:02", 20, True),
        ("00:00:00:00:00:00:00:03", 20, False),
    }
    assert all(r.rssi == -40 and r.pan_id == 0xFFFF for r in found)


async def test_scan_tunes_every_channel_in_order_and_restores_once():
    radio = ScriptedRadio()
    await run_scan(radio)
    assert radio.tunes == channel_order()
    assert radio.restores == 1
    assert radio.channel is None


async def test_scan_uses_a_fresh_transaction_per_channel():
    radio = ScriptedRadio()
    await run_scan(radio)
    scans = radio.commands(Server.scan.id)
    assert len(scans) == 20
    by_channel: dict[int | None, set[int]] = {}
    for channel, destination, frame in scans:
        assert destination is None  # broadcast
        by_channel.setdefault(channel, set()).add(transaction_of(frame))
    assert all(len(ids) == 1 for ids in by_channel.values())
    assert len(set().union(*by_channel.values())) == 16


async def test_answers_with_another_transaction_or_garbage_are_ignored():
    stale = scan_response(0xDEADBEEF)
    radio = ScriptedRadio([Target("00:00:00:00:00:00:00:01", 15)], noise=[stale, b"\x00", b""])
    found = await run_scan(radio)
    assert [r.ieee for r in found] == ["00:00:00:00:00:00:00:01"]


async def test_a_target_answering_five_times_on_the_first_channel_is_reported_each_time():
    # The session reports every answer; the service lists a target once.
    radio = ScriptedRadio([Target("00:00:00:00:00:00:00:01", 11)])
    found = await run_scan(radio)
    assert len(found) == 5


async def test_scan_stops_when_the_radio_is_gone():
    radio = ScriptedRadio()
    alive = iter([True] * 4 + [False] * 100)
    session = TouchlinkSession(radio, FAST, alive=lambda: next(alive))
    with pytest.raises(RadioUnavailable):
        await session.scan(lambda _: None)
    assert len(radio.tunes) < 4
    await session.finish()
    assert radio.restores == 1


# -- identify and reset -------------------------------------------------------------------------


async def test_identify_scans_the_targets_channel_then_uses_the_answered_transaction():
    target = Target("00:00:00:00:00:00:00:07", 25)
    radio = ScriptedRadio([target, Target("00:00:00:00:00:00:00:08", 25)])
    session = TouchlinkSession(radio, FAST)
    await session.identify(ScanResult(target.ieee, 25, 0xFFFF, True), 5)
    await session.finish()
    assert radio.tunes == [25]
    (scan,) = radio.commands(Server.scan.id)
    (identify,) = radio.commands(Server.identify.id)
    assert identify[0] == 25 and identify[1] == target.ieee
    assert transaction_of(identify[2]) == transaction_of(scan[2])
    assert identify[2][-2:] == (5).to_bytes(2, "little")
    assert radio.restores == 1


async def test_reset_goes_only_to_the_target():
    target = Target("00:00:00:00:00:00:00:07", 12)
    radio = ScriptedRadio([target])
    session = TouchlinkSession(radio, FAST)
    await session.reset(ScanResult(target.ieee, 12, 0xFFFF, False))
    (reset,) = radio.commands(Server.reset_to_factory_new.id)
    assert reset[:2] == (12, target.ieee)


async def test_a_silent_target_gets_no_command_after_a_few_scans():
    target = Target("00:00:00:00:00:00:00:07", 12, online=False)
    radio = ScriptedRadio([target])
    session = TouchlinkSession(radio, TouchlinkTiming(scan_window=0.01, target_scans=3))
    with pytest.raises(TouchlinkTargetSilent):
        await session.reset(ScanResult(target.ieee, 12, 0xFFFF, False))
    assert len(radio.commands(Server.scan.id)) == 3
    assert radio.commands(Server.reset_to_factory_new.id) == []
    await session.finish()
    assert radio.restores == 1


async def test_finish_without_tuning_leaves_the_channel_alone():
    radio = ScriptedRadio()
    await TouchlinkSession(radio, FAST).finish()
    assert radio.restores == 0
