"""SLIP framing for RaspBee/ConBee sticks that survives a frame ending inside an escape.

Why: zigpy-deconz's ``uart.Gateway`` cuts frames at the SLIP end byte, which already makes
a truncated or corrupted frame cost only itself — except one case. A frame whose last
byte before the end byte is an escape byte (line noise can produce it) makes its
``_unescape`` return ``None``, and ``len(None)`` raises out of ``data_received``: asyncio
logs the error and the frames that arrived in the same read wait until the next bytes
come in (a stalled answer, a request time-out). Treating that frame as empty lets the
parser's own rule (a frame shorter than 4 bytes is skipped) drop it and go on.

:func:`install` makes zigpy-deconz's ``connect`` build this subclass (it looks the class
up in its module at call time), as ``framing.install`` does for zigpy-znp.
"""

from __future__ import annotations

import logging

import zigpy_deconz.uart as deconz_uart

log = logging.getLogger(__name__)


class EscapeSafeGateway(deconz_uart.Gateway):  # type: ignore[misc]
    """zigpy-deconz's serial protocol; a frame ending inside an escape is dropped."""

    frames_dropped = 0

    def _unescape(self, data: bytes) -> bytes:
        unescaped: bytes | None = super()._unescape(data)
        if unescaped is None:
            self.frames_dropped += 1
            log.warning("event=deconz_frame_dropped reason=ends_inside_escape bytes=%d", len(data))
            return b""
        return unescaped


def install() -> None:
    """Make zigpy-deconz open its serial port with :class:`EscapeSafeGateway` (idempotent)."""
    if deconz_uart.Gateway is not EscapeSafeGateway:
        deconz_uart.Gateway = EscapeSafeGateway
