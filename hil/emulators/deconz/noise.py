"""Malformed SLIP on the serial line: the line noise a RaspBee/ConBee can put in front of
the host, made on demand (the ``inject`` control command).

Why each kind: they are the ways a SLIP frame goes wrong on a real UART, and each takes a
different path through a host's parser (zigpy-deconz's ``uart.Gateway``):

* ``bad_crc`` — a whole frame whose checksum is wrong (a flipped bit);
* ``truncated`` — a frame cut short: its END comes too early (bytes lost on the line);
* ``garbage`` — bytes without an END between two frames (the next frame's leading END
  closes them into one bad frame);
* ``bad_escape`` — an ESC followed by a byte that is neither ESC_END nor ESC_ESC;
* ``trailing_escape`` — a frame that ends inside an escape (ESC right before END);
* ``oversize`` — a frame far longer than any the firmware sends (default 4 KiB);
* ``flood`` — random bytes, ENDs and ESCs included (default 64 KiB).

Every kind but ``flood`` is built so that it can never pass as a valid frame (checked
with :func:`hil.emulators.deconz.slip.decode`); a flood is random and may, once in 65536
fragments, hold a frame whose checksum happens to match — as real noise may.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from . import slip

END, ESC = bytes((slip.END,)), bytes((slip.ESC,))

#: A ``device_state_changed`` (network connected, queues empty) with sequence number 0:
#: the frame the firmware sends most, so a corrupted copy of it is the likeliest noise.
TEMPLATE = bytes.fromhex("0e00000700a200")
DEFAULT_OVERSIZE = 4096
DEFAULT_FLOOD = 64 * 1024
MAX_SIZE = 16 * 1024 * 1024


def _no_end(data: bytes) -> bytes:
    return data.replace(END, b"\x00")


def _never_valid(body: bytes) -> bytes:
    """``body`` unless it happens to decode as a frame; then with its last byte changed."""
    try:
        slip.decode(body)
    except ValueError:
        return body
    return body[:-1] + bytes(((body[-1] + 1) % 0xC0,))


def bad_crc(rng: random.Random, size: int | None) -> bytes:
    crc = bytearray(slip.checksum(TEMPLATE))
    crc[rng.randrange(2)] ^= 1 << rng.randrange(8)
    return END + slip.escape(TEMPLATE + bytes(crc)) + END


def truncated(rng: random.Random, size: int | None) -> bytes:
    whole = slip.escape(TEMPLATE + slip.checksum(TEMPLATE))
    cut = size if size is not None else rng.randint(4, len(whole) - 1)
    return END + _never_valid(whole[: max(1, min(cut, len(whole) - 1))]) + END


def garbage(rng: random.Random, size: int | None) -> bytes:
    data = _no_end(rng.randbytes(size if size is not None else rng.randint(1, 64)))
    return _never_valid(data)  # no END of its own: the next frame's END closes it


def bad_escape(rng: random.Random, size: int | None) -> bytes:
    whole = slip.escape(TEMPLATE + slip.checksum(TEMPLATE))
    at = rng.randrange(1, len(whole))
    invalid = rng.choice([b for b in range(256) if b not in (slip.END, slip.ESC_END, slip.ESC_ESC)])
    return END + whole[:at] + ESC + bytes((invalid,)) + whole[at:] + END


def trailing_escape(rng: random.Random, size: int | None) -> bytes:
    return END + slip.escape(TEMPLATE) + ESC + END


def oversize(rng: random.Random, size: int | None) -> bytes:
    body = slip.escape(_no_end(rng.randbytes(size if size is not None else DEFAULT_OVERSIZE)))
    return END + _never_valid(body) + END


def flood(rng: random.Random, size: int | None) -> bytes:
    return rng.randbytes(size if size is not None else DEFAULT_FLOOD)


#: Noise kind -> maker(rng, size): the bytes to put on the line.
KINDS: dict[str, Callable[[random.Random, int | None], bytes]] = {
    "bad_crc": bad_crc,
    "truncated": truncated,
    "garbage": garbage,
    "bad_escape": bad_escape,
    "trailing_escape": trailing_escape,
    "oversize": oversize,
    "flood": flood,
}


def make(kind: str, rng: random.Random, size: int | None = None) -> bytes:
    """The bytes of one ``kind`` of noise; ``size`` (bytes) where the kind has one."""
    try:
        maker = KINDS[kind]
    except KeyError:
        raise ValueError(f"kind must be one of {sorted(KINDS)}") from None
    if size is not None and not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be 1..{MAX_SIZE} bytes")
    return maker(rng, size)
