"""A malformed or checksum-broken frame from the host is dropped with a log line and
changes nothing; a well-formed request with a bad value gets the protocol's error status."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from zigpy_deconz.api import CommandId, NetworkParameter, Status
from zigpy_deconz.exception import CommandError

from hil.emulators.deconz import slip
from hil.emulators.deconz.frames import FrameError, parse_request

from .conftest import Rig

#: write_parameter(channel_mask = channel 15) with seq 0x42, as zigpy-deconz builds it.
GOOD_WRITE = bytes.fromhex("0b42000c0005000a00800000")


def _raw(api: Any, data: bytes) -> None:
    api._uart._transport.write(data)


@pytest.mark.parametrize(
    ("wire", "why"),
    [
        (slip.encode(GOOD_WRITE)[:-3] + b"\x00\x00\xc0", "bad checksum"),
        (b"\xc0\x0b\x42\xc0", "runt frame"),
        (slip.encode(bytes.fromhex("ee420005000000")), "unknown command id 0xee"),
        (slip.encode(bytes.fromhex("0e4200070000ff")), "sent by the firmware"),
        (slip.encode(bytes.fromhex("0b42000b0005000a00800000")), "frame_length 11"),
        (slip.encode(bytes.fromhex("0b42000c0004000a00800000")), "payload_length 4"),
        (b"\xc0\x0b\x42\xdb\x01\x00\x00\xc0", "invalid escape"),
        (b"\x00" * 3000 + b"\xc0", "no frame end"),
    ],
)
async def test_malformed_frame_is_dropped_logged_and_changes_nothing(
    rig: Rig, wire: bytes, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    emu = await rig.emulator()
    api = await rig.api(emu)
    before = emu.firmware.config.to_json()
    sent, dropped = emu.frame_log.sent, emu.firmware.stats.dropped
    with caplog.at_level(logging.WARNING, logger="hil.emulators.deconz"):
        _raw(api, wire)
        # The stick still answers, and answered nothing to the bad frame.
        assert await api.read_parameter(NetworkParameter.current_channel) == 15
    assert emu.frame_log.sent == sent + 1
    assert emu.firmware.stats.dropped == dropped + 1
    assert emu.firmware.config.to_json() == before
    assert any(why in r.getMessage() for r in caplog.records), [
        r.getMessage() for r in caplog.records
    ]


async def test_the_good_twin_of_the_malformed_frames_does_change_the_mask(rig: Rig) -> None:
    """Guards the test above: the same bytes, well formed, are a real write."""
    emu = await rig.emulator()
    api = await rig.api(emu)
    await api.write_parameter(NetworkParameter.channel_mask, 0x00000800)  # channel 11
    _raw(api, slip.encode(GOOD_WRITE))
    assert parse_request(GOOD_WRITE).command == CommandId.write_parameter
    await api.read_parameter(NetworkParameter.current_channel)  # a round trip
    assert emu.firmware.config.channel_mask == 0x00008000


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        (NetworkParameter.channel_mask, b"\x00\x08"),  # too short
        (NetworkParameter.channel_mask, b"\x00\x00\x00\x80"),  # channel 31 does not exist
        (NetworkParameter.aps_designed_coordinator, b"\x07"),
        (NetworkParameter.network_key, b"\x01" + bytes(16)),  # only key index 0
    ],
)
async def test_bad_parameter_value_gets_invalid_value_and_changes_nothing(
    rig: Rig, parameter: NetworkParameter, value: bytes
) -> None:
    emu = await rig.emulator()
    api = await rig.api(emu)
    before = emu.firmware.config.to_json()
    with pytest.raises(CommandError) as refused:
        await api.send_command(CommandId.write_parameter, parameter_id=parameter, parameter=value)
    assert refused.value.status == Status.INVALID_VALUE
    assert emu.firmware.config.to_json() == before


async def test_read_only_parameter_cannot_be_written(rig: Rig) -> None:
    emu = await rig.emulator()
    api = await rig.api(emu)
    with pytest.raises(CommandError) as refused:
        await api.write_parameter(NetworkParameter.current_channel, 20)
    assert refused.value.status == Status.UNSUPPORTED
    assert emu.firmware.config.network is not None
    assert emu.firmware.config.network.channel == 15


def test_parse_request_names_what_is_wrong() -> None:
    with pytest.raises(FrameError, match="missing"):
        parse_request(bytes.fromhex("0b42000700"))
