"""The MT frame layer of the emulator, at byte level over the pty.

Property tests share one emulator across examples on purpose: garbage from earlier
examples must not poison later ones, which is exactly what a real stick must survive.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import zigpy_znp.commands as c
import zigpy_znp.types as t
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zigpy_znp.frames import GeneralFrame, TransportFrame
from zigpy_znp.types.nvids import OsalNvIds

from hil.emulators.znp import EmulatorConfig, Timing, ZnpEmulator

from .rawhost import RawHost, encode

SHARED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
async def host() -> AsyncIterator[tuple[ZnpEmulator, RawHost]]:
    emu = ZnpEmulator(EmulatorConfig(timing=Timing.fast(), seed=7))
    path = await emu.start()
    raw = RawHost(path)
    # A stick that boots while the port is open announces itself; take that first.
    assert isinstance(await raw.command(), c.SYS.ResetInd.Callback)
    try:
        yield emu, raw
    finally:
        raw.close()
        await emu.stop()


def nvram_image(emu: ZnpEmulator) -> dict[str, dict[str, str]]:
    return emu.stack.nv.to_json()


async def drain(raw: RawHost) -> None:
    await asyncio.sleep(0.005)
    while not raw.frames.empty():
        raw.frames.get_nowait()


@SHARED
@given(garbage=st.binary(max_size=600))
async def test_arbitrary_bytes_never_crash_the_emulator_or_change_nvram(
    host: tuple[ZnpEmulator, RawHost], garbage: bytes
) -> None:
    emu, raw = host
    before = nvram_image(emu)
    raw.write(garbage)
    # Whatever came before, an SOF-less run of zero bytes resynchronises the parser
    # (it can only be inside a frame of at most 255 bytes).
    raw.write(bytes(256) + encode(c.SYS.Ping.Req()))
    async with asyncio.timeout(2):
        while not isinstance(await raw.command(), c.SYS.Ping.Rsp):
            pass
    await drain(raw)
    assert nvram_image(emu) == before


@SHARED
@given(data=st.data())
async def test_valid_frames_split_at_arbitrary_points_are_reassembled(
    host: tuple[ZnpEmulator, RawHost], data: st.DataObject
) -> None:
    _emu, raw = host
    stream = encode(c.SYS.Version.Req()) + encode(c.SYS.OSALNVLength.Req(Id=OsalNvIds.EXTADDR))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(stream) - 1), max_size=len(stream) - 1)))
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        raw.write(stream[start:end])
        await asyncio.sleep(0)
    assert isinstance(await raw.command(), c.SYS.Version.Rsp)
    length = await raw.command()
    assert length == c.SYS.OSALNVLength.Rsp(ItemLen=8)


@SHARED
@given(
    command=st.sampled_from(
        [
            c.SYS.Ping.Req(),
            c.SYS.OSALNVWriteExt.Req(Id=OsalNvIds.PANID, Offset=0, Value=b"\x34\x12"),
            c.SYS.ResetReq.Req(Type=t.ResetType.Soft),
            c.SYS.OSALNVDelete.Req(Id=OsalNvIds.EXTADDR, ItemLen=8),
        ]
    ),
    flip=st.integers(1, 255),
)
async def test_frames_with_a_bad_checksum_are_dropped_without_effect(
    host: tuple[ZnpEmulator, RawHost], command: object, flip: int
) -> None:
    emu, raw = host
    before = nvram_image(emu)
    resets = emu.stack.stats.resets
    frame = bytearray(encode(command))
    frame[-1] ^= flip
    raw.write(bytes(frame))
    with pytest.raises(TimeoutError):
        await raw.command(timeout=0.02)
    assert nvram_image(emu) == before
    assert emu.stack.stats.resets == resets
    raw.write(encode(c.SYS.Ping.Req()))
    assert isinstance(await raw.command(), c.SYS.Ping.Rsp)


async def test_unknown_sreq_is_answered_with_an_rpc_error(
    host: tuple[ZnpEmulator, RawHost],
) -> None:
    _, raw = host
    raw.write(encode(c.MAC.ResetReq.Req(SetDefault=True)))  # no MAC subsystem on this build
    answer = await raw.command()
    assert answer == c.RPCError.CommandNotRecognized.Rsp(
        ErrorCode=c.rpc_error.ErrorCode.InvalidSubsystem,
        RequestHeader=c.MAC.ResetReq.Req.header,
    )


async def test_sreq_with_a_truncated_payload_is_rejected_without_effect(
    host: tuple[ZnpEmulator, RawHost],
) -> None:
    emu, raw = host
    before = nvram_image(emu)
    header = c.SYS.OSALNVWriteExt.Req.header
    truncated = GeneralFrame(header, b"\x83\x00")  # Id only: offset and value missing
    raw.write(bytes(TransportFrame(truncated).serialize()))
    answer = await raw.command()
    assert answer == c.RPCError.CommandNotRecognized.Rsp(
        ErrorCode=c.rpc_error.ErrorCode.InvalidParameter, RequestHeader=header
    )
    assert nvram_image(emu) == before
