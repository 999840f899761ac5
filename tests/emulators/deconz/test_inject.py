"""Line noise from the virtual ConBee: the ``inject`` control command and its noise kinds.

Each kind must be noise to *any* SLIP parser (ours and zigpy-deconz's own), must cost only
itself there, and must reach the host raw, in order with the stick's own frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import tty
from pathlib import Path

import pytest
import zigpy_deconz.uart as deconz_uart
from zigpy_deconz.api import NetworkParameter

from hil.emulators.deconz import noise, slip
from hil.emulators.deconz.control import ControlClient, ControlError, ControlServer

from .conftest import ApiListener, Rig

GOOD = bytes.fromhex("0e07000700a600")  # a device_state_changed behind the noise
#: write_parameter(channel_mask = channel 15) with seq 0x42, as zigpy-deconz builds it.
WRITE_CHANNEL_MASK = bytes.fromhex("0b42000c0005000a00800000")
FRAME_KINDS = [kind for kind in noise.KINDS if kind != "flood"]


class Frames:
    """zigpy-deconz's parser reports its frames here (stands in for its ``Deconz``)."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def data_received(self, frame: bytes) -> None:
        self.frames.append(bytes(frame))


@pytest.mark.parametrize("kind", FRAME_KINDS)
@pytest.mark.parametrize("seed", range(20))
def test_each_noise_kind_is_dropped_and_the_next_frame_passes(kind: str, seed: int) -> None:
    got: list[bytes] = []
    decoder = slip.SlipDecoder(got.append)
    decoder.feed(noise.make(kind, random.Random(seed)) + slip.encode(GOOD))
    assert got == [GOOD]
    assert decoder.stats.dropped + decoder.stats.overflows >= 1


@pytest.mark.parametrize("kind", [k for k in FRAME_KINDS if k != "trailing_escape"])
def test_zigpy_deconz_drops_each_kind_too(kind: str) -> None:
    """Upstream's own parser (a trailing escape makes it raise: see gateway.zigbee)."""
    api = Frames()
    parser = deconz_uart.Gateway(api)
    parser.data_received(noise.make(kind, random.Random(1)) + slip.encode(GOOD))
    assert api.frames == [GOOD]


def test_sizes_are_honoured_and_bounded() -> None:
    rng = random.Random(3)
    assert len(noise.make("flood", rng, 1000)) == 1000
    assert len(noise.make("oversize", rng, 5000)) >= 5002
    with pytest.raises(ValueError, match="kind must be one of"):
        noise.make("hail", rng)
    with pytest.raises(ValueError, match="size must be"):
        noise.make("flood", rng, noise.MAX_SIZE + 1)


async def test_inject_puts_the_noise_on_the_line_and_the_stick_still_answers(
    rig: Rig, tmp_path: Path
) -> None:
    """zigpy-deconz as the host; the two kinds its parser cannot take unaided (a trailing
    escape, and a flood that may hold one) are the gateway's to guard (gateway.zigbee)."""
    emu = await rig.emulator()
    listener = ApiListener()
    api = await rig.api(emu, listener)
    server = ControlServer(emu, tmp_path / "ctl.sock")
    await server.start()
    try:
        async with ControlClient(tmp_path / "ctl.sock") as ctl:
            for kind in [k for k in FRAME_KINDS if k != "trailing_escape"]:
                answer = await ctl.request("inject", kind=kind, count=3)
                assert answer["kind"] == kind and answer["injected"] > 0
                assert await api.read_parameter(NetworkParameter.current_channel) == 15
            assert listener.lost == [], "the noise cost the host its connection"
    finally:
        await server.stop()


async def test_inject_sends_its_bytes_raw_to_the_host(rig: Rig, tmp_path: Path) -> None:
    emu = await rig.emulator()
    server = ControlServer(emu, tmp_path / "ctl.sock")
    await server.start()
    assert emu.path is not None
    host = os.open(emu.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(host)
    try:
        await asyncio.sleep(0.2)  # the emulator notices its host
        with contextlib.suppress(BlockingIOError):
            os.read(host, 65536)  # whatever the stick said on its own
        async with ControlClient(tmp_path / "ctl.sock") as ctl:
            sent = await ctl.request("inject", hex="c0db01c0", noise=1000)
            assert sent == {"injected": 1004}
            flood = await ctl.request("inject", kind="flood", size=3000)
            assert flood == {"injected": 3000, "kind": "flood"}
        received = b""
        async with asyncio.timeout(5):
            while len(received) < 4004:
                with contextlib.suppress(BlockingIOError):
                    received += os.read(host, 65536)
                await asyncio.sleep(0.01)
        assert received[:4] == bytes.fromhex("c0db01c0")
        assert len(received) == 4004
    finally:
        os.close(host)
        await server.stop()


async def test_inject_refuses_bad_arguments_and_a_port_nobody_opened(
    rig: Rig, tmp_path: Path
) -> None:
    emu = await rig.emulator()
    server = ControlServer(emu, tmp_path / "ctl.sock")
    await server.start()
    try:
        async with ControlClient(tmp_path / "ctl.sock") as ctl:
            with pytest.raises(ControlError, match="kind must be one of"):
                await ctl.request("inject", kind="hail")
            with pytest.raises(ControlError, match="'count' must be"):
                await ctl.request("inject", kind="bad_crc", count=0)
            with pytest.raises(ControlError, match="hexadecimal"):
                await ctl.request("inject", hex="zz")
            with pytest.raises(ControlError, match="at most"):
                await ctl.request("inject", kind="flood", size=noise.MAX_SIZE, count=2)
            with pytest.raises(ControlError, match="no host has the port open"):
                await ctl.request("inject", kind="bad_crc")
    finally:
        await server.stop()


async def test_glued_noise_waits_for_the_sticks_next_frame_and_goes_out_with_it(
    rig: Rig, tmp_path: Path
) -> None:
    emu = await rig.emulator()
    server = ControlServer(emu, tmp_path / "ctl.sock")
    await server.start()
    assert emu.path is not None
    host = os.open(emu.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(host)
    try:
        await asyncio.sleep(0.2)  # the emulator notices its host
        with contextlib.suppress(BlockingIOError):
            os.read(host, 65536)
        async with ControlClient(tmp_path / "ctl.sock") as ctl:
            assert await ctl.request("inject", hex="c0aabbdbc0", glued=True) == {"injected": 5}
        await asyncio.sleep(0.2)
        with pytest.raises(BlockingIOError):
            os.read(host, 65536)  # held back: the stick has sent nothing since
        os.write(host, slip.encode(WRITE_CHANNEL_MASK))  # the stick answers this
        received = b""
        async with asyncio.timeout(5):
            while received.count(bytes((slip.END,))) < 4:
                with contextlib.suppress(BlockingIOError):
                    received += os.read(host, 65536)
                await asyncio.sleep(0.01)
        assert received.startswith(bytes.fromhex("c0aabbdbc0") + bytes((slip.END,)))
    finally:
        os.close(host)
        await server.stop()
