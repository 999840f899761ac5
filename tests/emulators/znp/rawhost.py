"""A byte-level host for the frame-layer tests: opens the pty like a serial port and
parses what comes back with zigpy-znp's own MT parser."""

from __future__ import annotations

import asyncio
import os
import termios
import tty
from typing import Any

import zigpy_znp.commands as c
from zigpy_znp.frames import GeneralFrame, TransportFrame
from zigpy_znp.uart import ZnpMtProtocol


class RawHost:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.frames: asyncio.Queue[GeneralFrame] = asyncio.Queue()
        self._parser = ZnpMtProtocol(self)
        asyncio.get_running_loop().add_reader(self.fd, self._readable)

    # The parser calls these ("api" side of ZnpMtProtocol).
    def frame_received(self, frame: GeneralFrame) -> None:
        self.frames.put_nowait(frame)

    def connection_made(self) -> None:
        pass

    def connection_lost(self, exc: BaseException | None) -> None:
        pass

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return
        self._parser.data_received(data)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:
                written = 0
            view = view[written:]

    async def command(self, timeout: float = 2.0) -> Any:
        """Next frame from the emulator, decoded as a zigpy-znp command."""
        async with asyncio.timeout(timeout):
            frame = await self.frames.get()
        return c.COMMANDS_BY_ID[frame.header].from_frame(frame, align=True)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.fd)
        os.close(self.fd)


def encode(command: Any) -> bytes:
    """A request as the bytes a host sends (SOF, length, header, payload, FCS)."""
    return bytes(TransportFrame(command.to_frame(align=True)).serialize())
