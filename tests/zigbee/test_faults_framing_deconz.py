"""zigpy-deconz's SLIP parser with our one fix: a frame ending inside an escape is dropped.

Unit level: the protocol with a recording API in place of zigpy-deconz's ``Deconz``;
frames built with the emulator's SLIP encoder (the same bytes a ConBee sends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import zigpy_deconz.uart as deconz_uart
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.zigbee import framing_deconz
from gateway.zigbee.framing_deconz import EscapeSafeGateway
from hil.emulators.deconz import slip

END, ESC = bytes([slip.END]), bytes([slip.ESC])
UPSTREAM = EscapeSafeGateway.__mro__[1]  # zigpy-deconz's own uart.Gateway


@dataclass
class RecordingApi:
    frames: list[bytes] = field(default_factory=list)

    def data_received(self, frame: Any) -> None:
        self.frames.append(bytes(frame))

    def connection_lost(self, exc: BaseException | None) -> None:
        pass


DEVICE_STATE = bytes.fromhex("0e0a000800a600000000")  # a device_state_changed, say


def test_a_frame_ending_inside_an_escape_costs_only_itself():
    api = RecordingApi()
    proto = EscapeSafeGateway(api)
    proto.data_received(END + b"\x0e\x0a\x00\x01" + ESC + END + slip.encode(DEVICE_STATE))
    assert api.frames == [DEVICE_STATE]
    assert proto.frames_dropped == 1


def test_upstream_stalls_on_it_which_is_why_we_wrap_it():
    api = RecordingApi()
    proto = UPSTREAM(api)
    with pytest.raises(TypeError):
        proto.data_received(END + b"\x0e\x0a\x00\x01" + ESC + END + slip.encode(DEVICE_STATE))
    assert api.frames == []  # the good frame behind it waits for the next read


def test_install_makes_zigpy_deconz_build_the_escape_safe_protocol():
    framing_deconz.install()
    framing_deconz.install()
    assert deconz_uart.Gateway is EscapeSafeGateway


no_end = st.binary(min_size=1, max_size=40).map(lambda b: b.replace(END, b"\x00"))
garbage = st.tuples(no_end, st.booleans()).map(lambda t: ("garbage", t[0] + (ESC if t[1] else b"")))
valid = st.binary(min_size=2, max_size=60).map(lambda p: ("valid", p))


def accidental(body: bytes) -> bool:
    try:
        slip.decode(body)
    except ValueError:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.one_of(valid, garbage), min_size=1, max_size=10),
    cuts=st.lists(st.integers(1, 50), max_size=20),
)
def test_every_valid_frame_is_delivered_whatever_garbage_lies_between(items, cuts):
    if any(kind == "garbage" and accidental(raw) for kind, raw in items):
        return  # the garbage happens to be a valid frame
    stream = b"".join(
        slip.encode(raw) if kind == "valid" else END + raw + END for kind, raw in items
    )
    api = RecordingApi()
    proto = EscapeSafeGateway(api)
    rest = stream
    for size in cuts:
        chunk, rest = rest[:size], rest[size:]
        proto.data_received(chunk)
    proto.data_received(rest)
    assert api.frames == [raw for kind, raw in items if kind == "valid"]
