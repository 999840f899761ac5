"""The frame decoder and the button numbers, as properties over every input.

The frames the emulator's remotes put on the air (built by ``hil``'s button module, the
same bytes zha-quirks and deCONZ decode) must give deCONZ's numbers; Report Attributes
built by zigpy must give back their value; any other bytes give a reading or
MalformedFrame, never another exception.
"""

from __future__ import annotations

import contextlib

import pytest
import zigpy.types as zt
from hypothesis import given
from hypothesis import strategies as st
from zigpy.zcl import foundation

from gateway.domain.sensors.buttons import ButtonAction, button_event, split_button_event
from gateway.zigbee.sensor_frames import MalformedFrame, RemoteMemory, decode
from hil.emulators.znp.devices.buttons import (
    HUE_BUTTON_IDS,
    HUE_PRESS_TYPES,
    button_frames,
)
from hil.emulators.znp.devices.spec import DeviceKind

IEEE = "00:17:88:01:5e:00:00:01"


@given(st.integers(1, 99), st.sampled_from(ButtonAction))
def test_button_event_round_trips(button, action):
    value = button_event(button, action)
    assert split_button_event(value) == (button, action)
    assert value == button * 1000 + int(action)


@given(
    st.sampled_from(sorted(HUE_BUTTON_IDS)),
    st.sampled_from(sorted(HUE_PRESS_TYPES)),
    st.floats(0, 10),
    st.integers(0, 255),
)
def test_hue_dimmer_frames_give_deconz_numbers(button, press, duration, tsn):
    frame = button_frames(DeviceKind.HUE_DIMMER, button, press, duration)[0]
    decoded = decode(IEEE, frame.cluster, frame.endpoint, frame.serialize(tsn), RemoteMemory())
    expected = HUE_BUTTON_IDS[button] * 1000 + HUE_PRESS_TYPES[press]
    assert decoded.state == {(2, 0xFC00): {"buttonevent": expected}}
    assert decoded.events == {(2, 0xFC00)}


IKEA_EXPECTED = {
    ("toggle", "press"): 1002,
    ("up", "press"): 2002,
    ("up", "hold"): 2001,
    ("up", "release"): 2003,
    ("down", "press"): 3002,
    ("down", "hold"): 3001,
    ("down", "release"): 3003,
    ("left", "press"): 4002,
    ("left", "hold"): 4001,
    ("right", "press"): 5002,
    ("right", "hold"): 5001,
}


@pytest.mark.parametrize(("button", "event"), sorted(IKEA_EXPECTED))
def test_ikea_remote_frames_give_deconz_numbers(button, event):
    frame = button_frames(DeviceKind.IKEA_REMOTE, button, event, 0.5)[0]
    decoded = decode(IEEE, frame.cluster, 1, frame.serialize(7), RemoteMemory())
    assert decoded.state == {(1, 0x1000): {"buttonevent": IKEA_EXPECTED[(button, event)]}}


@pytest.mark.parametrize(("side", "number"), [("left", 4), ("right", 5)])
def test_ikea_arrow_release_names_the_arrow_that_was_held(side, number):
    memory = RemoteMemory()
    for event in ("hold", "release"):
        frame = button_frames(DeviceKind.IKEA_REMOTE, side, event, 1.0)[0]
        decoded = decode(IEEE, frame.cluster, 1, frame.serialize(1), memory)
    assert decoded.state == {(1, 0x1000): {"buttonevent": number * 1000 + 3}}


def report(attrid: int, type_id: int, value: int) -> bytes:
    """A Report Attributes frame with one attribute, as zigpy serialises it."""
    header = foundation.ZCLHeader.general(5, foundation.GeneralCommand.Report_Attributes)
    attribute = foundation.Attribute(attrid, foundation.TypeValue(type=type_id, value=value))
    return bytes(header.serialize()) + bytes(attribute.serialize())


@given(st.integers(-27315, 32767))
def test_temperature_report_gives_back_its_value(centi):
    data = report(0x0000, 0x29, zt.int16s(centi))
    decoded = decode(IEEE, 0x0402, 1, data, RemoteMemory())
    assert decoded.state == {(1, 0x0402): {"temperature": centi}}


@given(st.integers(0, 200))
def test_battery_report_is_half_percent_units(raw):
    data = report(0x0021, 0x20, zt.uint8_t(raw))
    decoded = decode(IEEE, 0x0001, 1, data, RemoteMemory())
    assert decoded.device_config == {"battery": min(100, round(raw / 2))}


def test_invalid_temperature_is_no_reading():
    data = report(0x0000, 0x29, zt.int16s(-0x8000))
    assert decode(IEEE, 0x0402, 1, data, RemoteMemory()).state == {}


@given(st.integers(0, 0xFFFF), st.integers(0, 255), st.binary(max_size=24))
def test_any_bytes_decode_or_raise_malformed_frame_only(cluster, endpoint, data):
    with contextlib.suppress(MalformedFrame):
        decode(IEEE, cluster, endpoint, data, RemoteMemory())


def test_answers_to_our_requests_are_understood_and_carry_no_reading():
    header = foundation.ZCLHeader.general(
        9,
        foundation.GeneralCommand.Configure_Reporting_rsp,
        direction=foundation.Direction.Server_to_Client,
    )
    decoded = decode(IEEE, 0x0402, 1, bytes(header.serialize()) + b"\x00", RemoteMemory())
    assert decoded.understood
    assert (decoded.state, decoded.config, decoded.device_config) == ({}, {}, {})
