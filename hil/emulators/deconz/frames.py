"""Command frames of the deCONZ serial protocol, parsed and built from zigpy-deconz's own
schemas (``zigpy_deconz.api.COMMAND_SCHEMAS``).

Every frame is ``command_id, seq, status, frame_length, [payload_length], fields...``.
The host-side library keeps, per command, the schema it *sends* and the schema it
*expects back*; the emulator reads requests with the first and writes answers with the
second, so both ends of the wire share one definition (as the ZNP emulator does with
zigpy-znp's command classes).

A request that does not parse — unknown command, a firmware-to-host-only command,
wrong ``frame_length``/``payload_length``, missing mandatory fields — raises
:class:`FrameError`; the firmware drops it with a log line.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import zigpy_deconz.types as t
from zigpy_deconz.api import COMMAND_SCHEMAS, FRAME_LENGTH, PAYLOAD_LENGTH, CommandId

#: Request fields the host may leave out (trailing optionals).
OPTIONAL_FIELDS = frozenset({"relays", "reserved1", "reserved2", "reserved3", "reserved"})
#: Sequence number of frames the firmware sends on its own. zigpy-deconz numbers its
#: requests 1..255, so 0 can never be mistaken for the answer to one of them.
UNSOLICITED_SEQ = 0
#: Command ids zigpy-deconz defines (its enum invents members for unknown values).
_KNOWN_IDS = frozenset(int(command) for command in COMMAND_SCHEMAS)


class FrameError(ValueError):
    """A frame from the host that is not a well-formed request."""


@dataclass(frozen=True)
class Request:
    command: CommandId
    seq: int
    params: dict[str, Any]
    raw: bytes

    def describe(self) -> str:
        shown = {
            k: v for k, v in self.params.items() if k not in ("frame_length", "payload_length")
        }
        return f"{self.command.name}(seq={self.seq}, {shown})"


def _tx_types(command: CommandId) -> dict[str, Any]:
    tx_schema, _ = COMMAND_SCHEMAS[command]
    types: dict[str, Any] = {}
    for name, spec in tx_schema.items():
        if spec is FRAME_LENGTH or spec is PAYLOAD_LENGTH:
            types[name] = t.uint16_t
        elif isinstance(spec, int):
            types[name] = type(spec)
        else:
            types[name] = spec
    return types


def parse_request(frame: bytes) -> Request:
    """Decodes one checked SLIP payload from the host."""
    if len(frame) < 2:
        raise FrameError("frame shorter than command id and sequence number")
    if frame[0] not in _KNOWN_IDS:
        raise FrameError(f"unknown command id 0x{frame[0]:02x}")
    command = CommandId(frame[0])
    schema = COMMAND_SCHEMAS.get(command)
    if schema is None or schema[0] is None:
        raise FrameError(f"{command.name} is sent by the firmware, not to it")
    types = _tx_types(command)
    try:
        params, rest = t.deserialize_dict(frame[2:], types)
    except (ValueError, KeyError) as exc:
        raise FrameError(f"{command.name}: {exc}") from None
    if rest:
        raise FrameError(f"{command.name}: {len(rest)} bytes after the last field")
    missing = [k for k, v in params.items() if v is None and k not in OPTIONAL_FIELDS]
    if missing:
        raise FrameError(f"{command.name}: missing {', '.join(missing)}")
    if params["frame_length"] != len(frame):
        raise FrameError(
            f"{command.name}: frame_length {params['frame_length']} but {len(frame)} bytes"
        )
    if "payload_length" in params:
        header = 2 + 1 + 2 + 2  # id, seq, status, frame_length, payload_length
        if params["payload_length"] != len(frame) - header:
            raise FrameError(
                f"{command.name}: payload_length {params['payload_length']}"
                f" but {len(frame) - header} bytes"
            )
    return Request(command, frame[1], params, frame)


def build_frame(command: CommandId, seq: int, values: dict[str, Any]) -> bytes:
    """Serialises an answer or notification with the schema zigpy-deconz reads.

    ``frame_length`` and ``payload_length`` are filled in; a ``None`` value ends the
    frame there (trailing optional fields).
    """
    _, rx_schema = COMMAND_SCHEMAS[command]
    chunks: list[bytes] = []
    payload_index: int | None = None
    for name, field_type in rx_schema.items():
        if name == "frame_length":
            chunks.append(b"\x00\x00")
            continue
        if name == "payload_length":
            payload_index = len(chunks)
            chunks.append(b"\x00\x00")
            continue
        value = values.get(name)
        if value is None:
            break
        if not isinstance(value, field_type):
            value = field_type(value)
        chunks.append(value.serialize())
    if payload_index is not None:
        size = sum(len(c) for c in chunks[payload_index + 1 :])
        chunks[payload_index] = t.uint16_t(size).serialize()
    body = b"".join(chunks)
    length = 2 + len(body)
    body = body[:1] + t.uint16_t(length).serialize() + body[3:]
    return bytes((int(command), seq)) + bytes(body)


@dataclass(frozen=True)
class FrameRecord:
    """One frame that crossed the serial line, for ``state``, ``frames`` and tests."""

    seq: int
    direction: str  # "rx" (host -> stick) or "tx" (stick -> host)
    timestamp: float
    text: str
    raw: bytes
    request: Request | None = None

    def describe(self) -> str:
        return f"{self.direction} {self.text}"


class FrameLog:
    """A bounded history of frames plus counters."""

    def __init__(self, maxlen: int = 1000) -> None:
        self._records: deque[FrameRecord] = deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self.received = 0
        self.sent = 0
        self.dropped = 0

    def add(
        self, direction: str, text: str, raw: bytes, request: Request | None = None
    ) -> FrameRecord:
        record = FrameRecord(next(self._seq), direction, time.time(), text, raw, request)
        self._records.append(record)
        if direction == "rx":
            self.received += 1
        elif direction == "tx":
            self.sent += 1
        return record

    def records(self, since: int = 0) -> list[FrameRecord]:
        return [r for r in self._records if r.seq > since]

    @property
    def last_seq(self) -> int:
        return self._records[-1].seq if self._records else 0
