"""The MT parser resynchronises after malformed frames: one bad frame costs only itself.

Unit level (the parser with a recording API in place of zigpy-znp's ``ZNP``), including a
property test over streams of valid frames mixed with truncated frames, frames with a bad
checksum and frames whose length byte lies, cut into arbitrary chunks.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import random
from dataclasses import dataclass, field
from typing import Any

import zigpy_znp.commands as c
import zigpy_znp.types as t
import zigpy_znp.uart as znp_uart
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.zigbee import framing
from gateway.zigbee.framing import ResyncingMtProtocol

SOF = 0xFE


def fcs(body: bytes) -> int:
    return functools.reduce(operator.xor, body, 0)


def frame(cmd0: int, cmd1: int, data: bytes) -> bytes:
    body = bytes([len(data), cmd0, cmd1]) + data
    return bytes([SOF]) + body + bytes([fcs(body)])


def wire(command: Any) -> bytes:
    """A zigpy-znp command as the stick puts it on the line."""
    general = command.to_frame()
    header = int(general.header).to_bytes(2, "little")  # cmd0 (type|subsystem), cmd1 (id)
    return frame(header[0], header[1], bytes(general.data))


@dataclass
class RecordingApi:
    frames: list[tuple[int, bytes]] = field(default_factory=list)

    def frame_received(self, payload: Any) -> None:
        self.frames.append((int(payload.header), bytes(payload.data)))

    def connection_lost(self, exc: BaseException | None) -> None:
        pass


def payload_of(raw: bytes) -> tuple[int, bytes]:
    """(header as zigpy-znp reads it, data) of a valid frame built by :func:`frame`."""
    return int.from_bytes(raw[2:4], "little"), raw[4:-1]


def protocol(api: RecordingApi, stall: float = 0.05) -> ResyncingMtProtocol:
    proto = ResyncingMtProtocol(api, url="test")
    proto.stall_timeout = stall
    return proto


async def settle(proto: ResyncingMtProtocol, api: RecordingApi, want: int) -> None:
    """Let stall timers run until ``want`` frames arrived or the buffer is empty."""
    async with asyncio.timeout(5):
        while len(api.frames) < want and proto._buffer:
            await asyncio.sleep(0.01)


PING_RSP = wire(c.SYS.Ping.Rsp(Capabilities=t.MTCapabilities(0x0659)))
STATUS_RSP = wire(c.AF.DataRequestExt.Rsp(Status=t.Status.SUCCESS))


async def test_a_truncated_frame_does_not_swallow_the_answers_behind_it():
    api = RecordingApi()
    proto = protocol(api)
    # Start byte, a length of 64, two bytes of command: the rest never comes.
    proto.data_received(bytes([SOF, 64, 0x61, 0x01]))
    proto.data_received(PING_RSP + STATUS_RSP)
    await settle(proto, api, 2)
    assert api.frames == [payload_of(PING_RSP), payload_of(STATUS_RSP)]
    assert proto.frames_dropped == 1


async def test_a_trickle_of_answers_does_not_keep_a_dead_frame_alive():
    api = RecordingApi()
    proto = protocol(api, stall=0.1)
    proto.data_received(bytes([SOF, 250, 0x61, 0x01]))
    for _ in range(8):  # one small answer every 30 ms, each restarting nothing
        proto.data_received(PING_RSP)
        await asyncio.sleep(0.03)
    await settle(proto, api, 8)
    assert api.frames == [payload_of(PING_RSP)] * 8


async def test_a_frame_with_a_bad_checksum_costs_only_itself():
    api = RecordingApi()
    proto = protocol(api)
    bad = bytearray(frame(0x44, 0x81, b"\x01\x02\x03"))
    bad[-1] ^= 0x55
    proto.data_received(bytes(bad) + PING_RSP)
    assert api.frames == [payload_of(PING_RSP)]


async def test_checksum_valid_noise_that_is_no_command_does_not_swallow_the_frames_behind_it():
    # A stray start byte whose length reaches over two real answers, with a filler byte
    # chosen so that the checksum at the claimed end happens to be right (1 in 256).
    real = PING_RSP + STATUS_RSP
    noise = bytearray([SOF, 4 + 3 + len(real) - 5, 0xFF, 0xFF, 0x00, 0x11, 0x22])
    stream = noise + real
    end = len(stream) - 1
    noise[4] = fcs(bytes(stream[1:end])) ^ stream[end]  # now XOR(1..end-1) == stream[end]
    stream = bytes(noise) + real
    assert fcs(stream[1:end]) == stream[end]
    api = RecordingApi()
    proto = protocol(api)
    proto.data_received(stream)
    assert api.frames == [payload_of(PING_RSP), payload_of(STATUS_RSP)]


async def test_a_length_byte_that_lies_costs_only_that_frame():
    api = RecordingApi()
    proto = protocol(api)
    lying = bytearray(frame(0x44, 0x81, bytes(range(1, 20))))
    lying[1] = 3  # claims 3 data bytes, carries 19
    proto.data_received(bytes(lying) + PING_RSP)
    await settle(proto, api, 1)
    assert api.frames == [payload_of(PING_RSP)]


async def test_a_megabyte_of_noise_is_skipped_quickly_and_the_next_answer_arrives():
    api = RecordingApi()
    proto = protocol(api)
    noise = bytes(b for b in random.Random(5).randbytes(1 << 20) if b != SOF)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for offset in range(0, len(noise), 4096):
        proto.data_received(noise[offset : offset + 4096])
    proto.data_received(PING_RSP)
    assert api.frames == [payload_of(PING_RSP)]
    assert loop.time() - started < 5


async def test_noise_with_start_bytes_ends_in_the_answer_after_it():
    api = RecordingApi()
    proto = protocol(api)
    noise = random.Random(9).randbytes(256 * 1024)
    for offset in range(0, len(noise), 4096):
        proto.data_received(noise[offset : offset + 4096])
    api.frames.clear()  # noise may happen to hold a checksum-valid frame; those are its own
    proto.data_received(PING_RSP * 3)
    await settle(proto, api, 3)
    assert api.frames[-1] == payload_of(PING_RSP)


async def test_closing_the_port_cancels_the_stall_timer():
    api = RecordingApi()
    proto = protocol(api, stall=0.01)
    proto.data_received(bytes([SOF, 64, 0x61]))
    proto.close()
    await asyncio.sleep(0.05)
    assert proto.frames_dropped == 0


def test_install_makes_zigpy_znp_build_the_resyncing_protocol():
    framing.install()
    framing.install()
    assert znp_uart.ZnpMtProtocol is ResyncingMtProtocol


# -- property: valid frames survive any mix of malformed ones --------------------------------

no_sof = st.binary(max_size=30).map(lambda b: b.replace(bytes([SOF]), b"\x00"))
commands = st.one_of(
    st.builds(
        lambda caps: c.SYS.Ping.Rsp(Capabilities=t.MTCapabilities(caps)), st.integers(0, 0xFFFF)
    ),
    st.builds(
        lambda ep, tsn: c.AF.DataConfirm.Callback(Status=t.Status.SUCCESS, Endpoint=ep, TSN=tsn),
        st.integers(0, 255),
        st.integers(0, 255),
    ),
    st.builds(  # a lamp's frame: its payload may hold start bytes, which is fine
        lambda data, tsn: c.AF.IncomingMsg.Callback(
            GroupId=0,
            ClusterId=6,
            SrcAddr=0x1234,
            SrcEndpoint=11,
            DstEndpoint=1,
            WasBroadcast=t.Bool.false,
            LQI=200,
            SecurityUse=t.Bool.false,
            TimeStamp=1,
            TSN=tsn,
            Data=data,
            MacSrcAddr=0x1234,
            MsgResultRadius=1,
        ),
        st.binary(max_size=60),
        st.integers(0, 255),
    ),
)
valid = commands.map(lambda command: ("valid", wire(command)))


@st.composite
def malformed(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["truncated", "bad_fcs", "lying_length"]))
    if kind == "truncated":
        rest = draw(no_sof)
        claimed = draw(st.integers(len(rest), 250))
        return kind, bytes([SOF, claimed]) + rest
    data = draw(no_sof)
    body = bytes([len(data), 0x61, 0x02]) + data
    good = fcs(body)
    if kind == "bad_fcs":
        wrong = draw(st.integers(0, 255).filter(lambda v: v not in (good, SOF)))
        return kind, bytes([SOF]) + body + bytes([wrong])
    claimed = draw(st.integers(0, 250).filter(lambda v: v != len(data)))
    tail = good if good != SOF else 0
    return kind, bytes([SOF, claimed]) + body[1:] + bytes([tail])


def accidental_frame(stream: bytes, start: int) -> bool:
    """Whether the malformed item at ``start`` happens to read as a valid frame."""
    if start + 1 >= len(stream):
        return False
    length = stream[start + 1]
    end = start + length + 5
    if length > 250 or end > len(stream):
        return False
    return fcs(stream[start + 1 : end - 1]) == stream[end - 1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(st.one_of(valid, malformed()), min_size=1, max_size=12),
    cuts=st.lists(st.integers(1, 64), max_size=20),
)
def test_every_valid_frame_is_delivered_whatever_malformed_frames_surround_it(items, cuts):
    stream = b"".join(raw for _, raw in items)
    offsets, position = [], 0
    for kind, raw in items:
        offsets.append((kind, position))
        position += len(raw)
    if any(kind != "valid" and accidental_frame(stream, at) for kind, at in offsets):
        return  # the malformed bytes form a checksum-valid frame: not malformed after all
    expected = [payload_of(raw) for kind, raw in items if kind == "valid"]

    async def run() -> list[tuple[int, bytes]]:
        api = RecordingApi()
        proto = protocol(api, stall=0.005)
        rest = stream
        for size in cuts:
            chunk, rest = rest[:size], rest[size:]
            proto.data_received(chunk)
        proto.data_received(rest)
        await settle(proto, api, len(expected))
        return api.frames

    assert asyncio.run(run()) == expected
