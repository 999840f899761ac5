"""SLIP framing with the deCONZ checksum: the byte layer of the ConBee/RaspBee serial line.

A frame on the wire is ``END escape(payload + crc) END`` (RFC 1055 SLIP: END 0xC0, ESC
0xDB, ESC_END 0xDC, ESC_ESC 0xDD). The checksum is the two's complement of the byte sum
of the payload, 16 bits, little endian — what zigpy-deconz's ``uart.Gateway`` computes.

Why our own decoder instead of zigpy-deconz's: the emulator must *count and log* what it
drops (bad checksum, broken escape, runt, garbage without an END) and keep going, and a
trailing ESC must cost only that frame. The property tests cross-check both directions
against zigpy-deconz's own ``Gateway`` so the two stay byte-compatible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

LOGGER = logging.getLogger("hil.emulators.deconz.serial")

END = 0xC0
ESC = 0xDB
ESC_END = 0xDC
ESC_ESC = 0xDD

#: Command id + sequence number + checksum: anything shorter is line noise.
MIN_FRAME = 4
#: Longest frame we buffer while waiting for an END (the firmware's UART buffer).
MAX_FRAME = 1024


def checksum(payload: bytes) -> bytes:
    """Two's complement of the byte sum, 16-bit little endian."""
    value = (-sum(payload)) & 0xFFFF
    return bytes((value & 0xFF, value >> 8))


def escape(data: bytes) -> bytes:
    out = bytearray()
    for byte in data:
        if byte == END:
            out += bytes((ESC, ESC_END))
        elif byte == ESC:
            out += bytes((ESC, ESC_ESC))
        else:
            out.append(byte)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    """Raises ``ValueError`` for an ESC not followed by ESC_END or ESC_ESC."""
    out = bytearray()
    pending_escape = False
    for byte in data:
        if pending_escape:
            if byte == ESC_END:
                out.append(END)
            elif byte == ESC_ESC:
                out.append(ESC)
            else:
                raise ValueError(f"invalid escape sequence 0xdb 0x{byte:02x}")
            pending_escape = False
        elif byte == ESC:
            pending_escape = True
        else:
            out.append(byte)
    if pending_escape:
        raise ValueError("frame ends inside an escape sequence")
    return bytes(out)


def encode(payload: bytes) -> bytes:
    """One frame as it goes on the wire (leading END flushes line noise, as the host does)."""
    return bytes((END,)) + escape(payload + checksum(payload)) + bytes((END,))


def decode(body: bytes) -> bytes:
    """The payload of one frame body (between two ENDs); ``ValueError`` says what is wrong."""
    data = unescape(body)
    if len(data) < MIN_FRAME:
        raise ValueError(f"runt frame of {len(data)} bytes")
    payload, crc = data[:-2], data[-2:]
    expected = checksum(payload)
    if crc != expected:
        raise ValueError(f"bad checksum {crc.hex()} (expected {expected.hex()})")
    return payload


@dataclass
class DecoderStats:
    frames: int = 0
    dropped: int = 0  # bodies that were not a valid frame (checksum, escape, runt)
    overflows: int = 0  # garbage longer than MAX_FRAME without an END


class SlipDecoder:
    """Splits the host's byte stream into checked payloads; bytes may arrive in any pieces.

    Every bad frame is logged and counted, then forgotten: it costs only itself.
    """

    def __init__(
        self,
        on_frame: Callable[[bytes], None],
        on_drop: Callable[[bytes, str], None] | None = None,
    ) -> None:
        self._on_frame = on_frame
        self._on_drop = on_drop
        self._buffer = bytearray()
        self._skipping = False
        self.stats = DecoderStats()

    def reset(self) -> None:
        """Forget a partial frame (the host closed the port mid-frame)."""
        self._buffer.clear()
        self._skipping = False

    def feed(self, data: bytes) -> None:
        for byte in data:
            if byte != END:
                if self._skipping:
                    continue
                self._buffer.append(byte)
                if len(self._buffer) > 2 * MAX_FRAME:
                    self.stats.overflows += 1
                    self._drop(bytes(self._buffer[:16]), "no frame end within 2 KiB")
                    self._buffer.clear()
                    self._skipping = True  # the rest up to the next END is the same noise
                continue
            if self._skipping:
                self._skipping = False
                continue
            body = bytes(self._buffer)
            self._buffer.clear()
            if not body:
                continue  # back-to-back ENDs separate frames, nothing more
            try:
                payload = decode(body)
            except ValueError as exc:
                self.stats.dropped += 1
                self._drop(body, str(exc))
                continue
            self.stats.frames += 1
            self._on_frame(payload)

    def _drop(self, body: bytes, reason: str) -> None:
        LOGGER.warning("dropped serial frame %s: %s", body.hex(), reason)
        if self._on_drop is not None:
            self._on_drop(body, reason)
