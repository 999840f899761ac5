"""MT frames in and out of the emulator, built and parsed by zigpy-znp itself.

Why reuse zigpy-znp's ``ZnpMtProtocol``: the framing (SOF, length, header, FCS, resync
after garbage) must be byte-for-byte what zigpy-znp expects, and that library already
defines it. We only adapt it to our side of the wire: it hands us ``GeneralFrame``s and we
turn them into command objects with ``zigpy_znp.commands.COMMANDS_BY_ID``.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.frames import GeneralFrame
from zigpy_znp.uart import ZnpMtProtocol

LOGGER = logging.getLogger("hil.emulators.znp.mt")

#: Z-Stack 3.30 on a CC26x2 packs structs with natural alignment.
ALIGN_STRUCTS = True


@dataclass(frozen=True)
class FrameRecord:
    """One MT frame that crossed the serial line, for logs, ``state`` and tests."""

    seq: int
    direction: str  # "rx" (host -> emulator) or "tx" (emulator -> host)
    timestamp: float
    command: Any  # a zigpy-znp command object, or None when the frame was unknown
    raw: bytes

    def describe(self) -> str:
        """A one-line text form used in logs and the control channel."""
        name = repr(self.command) if self.command is not None else f"unknown {self.raw.hex()}"
        return f"{self.direction} {name}"


class FrameLog:
    """A bounded history of frames plus counters, so tests and the control channel can
    see what the host sent without the log growing forever."""

    def __init__(self, maxlen: int = 500) -> None:
        self._records: deque[FrameRecord] = deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self.received = 0
        self.sent = 0
        self.dropped = 0  # frames the host sent that we could not use

    def add(self, direction: str, command: Any, raw: bytes) -> FrameRecord:
        record = FrameRecord(next(self._seq), direction, time.time(), command, raw)
        self._records.append(record)
        if direction == "rx":
            self.received += 1
        else:
            self.sent += 1
        return record

    def records(self, since: int = 0) -> list[FrameRecord]:
        return [r for r in self._records if r.seq > since]

    @property
    def last_seq(self) -> int:
        return self._records[-1].seq if self._records else 0

    def clear(self) -> None:
        self._records.clear()


class _Sink:
    """The transport side ``ZnpMtProtocol`` writes to; forwards bytes to our port."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self.write = write


class MtFramer:
    """Splits the host's byte stream into commands and serialises our replies.

    ``on_command`` receives every well-formed frame the host sent, decoded as a
    zigpy-znp command object. Frames with a known header but a payload that does not
    parse go to ``on_malformed`` (Z-Stack answers those SREQs with an RPC error), and
    frames with an unknown header go there too with ``command=None``.
    """

    def __init__(
        self,
        write: Callable[[bytes], None],
        on_command: Callable[[Any], None],
        on_malformed: Callable[[t.CommandHeader], None],
        log: FrameLog | None = None,
    ) -> None:
        self.log = log if log is not None else FrameLog()
        self._write = write
        self._on_command = on_command
        self._on_malformed = on_malformed
        self._protocol = ZnpMtProtocol(self)
        self._protocol.connection_made(_Sink(self._write_raw))

    # -- host -> emulator -----------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Accepts any bytes; whole frames are dispatched, the rest is buffered or
        dropped exactly as zigpy-znp's own parser would."""
        self._protocol.data_received(data)

    def reset_buffer(self) -> None:
        """Forget a partial frame, e.g. when the host closes the port mid-frame."""
        self._protocol._buffer.clear()

    # Called by ZnpMtProtocol, which treats us as its "api".
    def connection_made(self) -> None:
        """Nothing to do: the port owns the connection life cycle."""

    def connection_lost(self, exc: BaseException | None) -> None:
        """Nothing to do: the port owns the connection life cycle."""

    def frame_received(self, frame: GeneralFrame) -> None:
        raw = frame.serialize()
        command_cls = c.COMMANDS_BY_ID.get(frame.header)
        if command_cls is None:
            self.log.dropped += 1
            self.log.add("rx", None, raw)
            LOGGER.debug("MT <- unknown frame %s", raw.hex())
            self._on_malformed(frame.header)
            return
        try:
            command = command_cls.from_frame(frame, align=ALIGN_STRUCTS)
        except (ValueError, KeyError) as exc:
            self.log.dropped += 1
            self.log.add("rx", None, raw)
            LOGGER.debug("MT <- malformed %s: %s", raw.hex(), exc)
            self._on_malformed(frame.header)
            return
        self.log.add("rx", command, raw)
        LOGGER.debug("MT <- %r", command)
        self._on_command(command)

    # -- emulator -> host -----------------------------------------------------------
    def send(self, command: Any) -> None:
        frame = command.to_frame(align=ALIGN_STRUCTS)
        self.log.add("tx", command, frame.serialize())
        LOGGER.debug("MT -> %r", command)
        self._protocol.send(frame)

    def _write_raw(self, data: bytes) -> None:
        self._write(data)
