"""Property tests for the SLIP + checksum codec, cross-checked against zigpy-deconz's own
``uart.Gateway`` in both directions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zigpy_deconz.uart import Gateway

from hil.emulators.deconz import slip

payloads = st.binary(min_size=2, max_size=300)
# Bytes that are SLIP control characters show up far more often than at random.
nasty = st.lists(st.sampled_from([0xC0, 0xDB, 0xDC, 0xDD, 0x00, 0xFF, 0x12]), min_size=2).map(bytes)
any_payload = st.one_of(payloads, nasty)


class _Api:
    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def data_received(self, frame: bytes) -> None:
        self.frames.append(bytes(frame))


class _Sink:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for point in [*points, len(data)]:
        pieces.append(data[start:point])
        start = point
    return pieces


def _collect() -> tuple[slip.SlipDecoder, list[bytes], list[str]]:
    frames: list[bytes] = []
    drops: list[str] = []
    decoder = slip.SlipDecoder(frames.append, lambda body, reason: drops.append(reason))
    return decoder, frames, drops


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(any_payload)
def test_decode_inverts_encode(payload: bytes) -> None:
    wire = slip.encode(payload)
    assert wire[0] == wire[-1] == slip.END and slip.END not in wire[1:-1]
    assert slip.decode(wire[1:-1]) == payload


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(any_payload)
def test_our_frames_are_byte_identical_to_zigpy_deconz_frames(payload: bytes) -> None:
    gateway: Any = Gateway(None)
    gateway._transport = _Sink()
    gateway.send(payload)
    assert slip.encode(payload) == gateway._transport.data


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(st.lists(any_payload, min_size=1, max_size=5), st.lists(st.integers(0, 10_000)))
def test_zigpy_deconz_reads_our_frames_split_anywhere(frames: list[bytes], cuts: list[int]) -> None:
    api = _Api()
    gateway: Any = Gateway(api)
    wire = b"".join(slip.encode(p) for p in frames)
    for piece in _chunks(wire, cuts):
        gateway.data_received(piece)
    assert api.frames == [p for p in frames if len(p) >= 2]


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(st.lists(any_payload, min_size=1, max_size=5), st.lists(st.integers(0, 10_000)))
def test_decoder_reassembles_frames_split_anywhere(frames: list[bytes], cuts: list[int]) -> None:
    decoder, received, drops = _collect()
    gateway: Any = Gateway(None)
    gateway._transport = _Sink()
    for payload in frames:
        gateway.send(payload)  # the host's own encoder
    for piece in _chunks(gateway._transport.data, cuts):
        decoder.feed(piece)
    assert received == frames and drops == []


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(payloads, st.integers(0, 10_000), st.integers(0, 7))
def test_any_single_bit_error_in_the_payload_is_caught_by_the_checksum(
    payload: bytes, position: int, bit: int
) -> None:
    index = position % len(payload)
    broken = bytearray(payload)
    broken[index] ^= 1 << bit
    wire = slip.escape(bytes(broken) + slip.checksum(payload))
    with pytest.raises(ValueError, match="checksum"):
        slip.decode(wire)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), payloads)
def test_garbage_costs_only_itself_and_the_next_frame_gets_through(
    garbage: bytes, payload: bytes
) -> None:
    decoder, received, _ = _collect()
    decoder.feed(garbage)
    decoder.feed(slip.encode(payload))
    assert received[-1:] == [payload]
    assert decoder.stats.frames == len(received)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\x0d\x01\x00\x09", "checksum"),
        (b"\x0d\x01", "runt"),
        (b"\x0d\x01\xdb\x00\x00\x00", "escape"),
        (b"\x0d\x01\x00\x00\xdb", "escape"),
    ],
)
def test_bad_bodies_are_dropped_with_a_reason(body: bytes, reason: str) -> None:
    decoder, received, drops = _collect()
    decoder.feed(bytes([slip.END]) + body + bytes([slip.END]))
    assert received == [] and len(drops) == 1 and reason in drops[0]
    assert decoder.stats.dropped == 1
