"""The emulator's own view of the bits: xknx transcoders, not the gateway's ``dpt.py``.

Why not the gateway's codec: the emulator must stay an independent peer, so a bug in the
gateway's encoding cannot hide behind the same bug here. One-byte enumerations (thermostat
and HVAC mode, fan speed) are carried raw, the way DPT 20.102 / 5.010 put them on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xknx.dpt.dpt import DPTBase
from xknx.dpt.dpt_5 import DPTScaling, DPTValue1Ucount
from xknx.dpt.dpt_9 import DPT2ByteFloat
from xknx.dpt.payload import DPTArray, DPTBinary

from ..bus import Payload


def bit(value: bool) -> Payload:
    """DPT 1."""
    return DPTBinary(1 if value else 0)


def read_bit(payload: Payload) -> bool:
    """DPT 1; a one-byte payload is tolerated as some panels send it."""
    if isinstance(payload, DPTBinary):
        return bool(payload.value & 1)
    return bool(payload.value and payload.value[-1] & 1)


def _codec(transcoder: type[DPTBase]) -> tuple[Callable[[Any], Payload], Callable[[Payload], Any]]:
    return transcoder.to_knx, transcoder.from_knx


percent_to_knx, percent_from_knx = _codec(DPTScaling)
float16_to_knx, float16_from_knx = _codec(DPT2ByteFloat)
byte_to_knx, byte_from_knx = _codec(DPTValue1Ucount)


def value_codec(dpt: str) -> tuple[Callable[[Any], Payload], Callable[[Payload], Any]]:
    """Codec for a configurable DPT ("9.001", "14", "5.001", "1" ...) via xknx's lookup."""
    transcoder = DPTBase.parse_transcoder(dpt)
    if transcoder is None:
        raise ValueError(f"unknown DPT {dpt!r}")
    if transcoder.payload_type is DPTBinary and transcoder.payload_length == 1:
        return (lambda v: bit(bool(v))), read_bit
    return transcoder.to_knx, transcoder.from_knx


def ensure_payload(payload: object) -> Payload:
    """Type guard for telegram payloads (tests and the inject API pass them in)."""
    if not isinstance(payload, DPTBinary | DPTArray):
        raise TypeError(f"payload must be DPTBinary or DPTArray, got {payload!r}")
    return payload
