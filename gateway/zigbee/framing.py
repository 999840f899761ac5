"""MT framing that resynchronises after a bad frame instead of waiting for the watchdog.

Why: zigpy-znp's ``ZnpMtProtocol`` already skips a frame whose checksum is wrong, but a
frame that *starts* and never completes — bytes lost on the line after a start byte, or a
length byte that claims more than was sent — makes it wait for the claimed number of
bytes. Every answer the stick sends meanwhile is swallowed as that frame's payload, the
requests behind it time out, and only zigpy's watchdog (30 s) and a radio restart end it:
measured 41-47 s without a working radio for one corrupted frame.

A real stick sends a frame's bytes back to back (a 255-byte frame takes 22 ms at 115200
baud), so a frame still incomplete :data:`STALL_TIMEOUT` after its start byte arrived is
not coming. We then drop that start byte and parse again from the next one: the frames
that were waiting behind it are delivered at once, and the bad frame costs only itself.
asyncio runs I/O callbacks before due timers, so bytes that did arrive while the event
loop was busy are always read before the stall is declared.

The same holds for the rarer case where noise *does* complete: a stray start byte whose
length byte reaches into the real frames behind it passes the one-byte checksum once in
256 times, and the answers it swallowed are lost (a request then waits out zigpy-znp's
30 s response time-out — seen once in a 100-cycle soak). So a frame must also be an MT
command zigpy-znp knows, with a payload that parses exactly; one that is not is noise:
its start byte is dropped and the bytes after it are parsed again.

The parser itself stays zigpy-znp's (``_extract_frames``: checksum, length limit, skip to
the next start byte on an invalid frame). :func:`install` makes zigpy-znp's ``connect``
build this subclass; it adds the stall timer and the "is it a command" check.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import zigpy_znp.commands as znp_commands
import zigpy_znp.uart as znp_uart
from zigpy_znp.exceptions import InvalidFrame

from gateway.zigbee import port_loss

log = logging.getLogger(__name__)

SOF = 0xFE
STALL_TIMEOUT = 0.25  # seconds a started frame may stay incomplete
MAX_FRAME = 255  # start byte, length, two command bytes, 250 data bytes, checksum


class ResyncingMtProtocol(znp_uart.ZnpMtProtocol):  # type: ignore[misc]
    """zigpy-znp's MT protocol plus a deadline for incomplete frames."""

    stall_timeout: float = STALL_TIMEOUT

    def __init__(self, api: Any, *, url: str | None = None) -> None:
        super().__init__(api, url=url)
        self._stall_timer: asyncio.TimerHandle | None = None
        self.frames_dropped = 0  # incomplete frames given up (for logs and tests)

    def data_received(self, data: bytes) -> None:
        buffered = len(self._buffer) + len(data)
        super().data_received(data)
        self._watch_head(consumed=buffered - len(self._buffer))

    def _extract_frame(self) -> Any:
        """zigpy-znp's frame extraction, refusing checksum-valid noise (see above)."""
        candidate = bytes(self._buffer[:MAX_FRAME])
        frame = super()._extract_frame()
        if self._is_command(frame.payload):
            return frame
        consumed = len(frame.payload.data) + 5
        self._buffer[0:0] = candidate[:consumed]  # zigpy-znp resumes after the start byte
        self.frames_dropped += 1
        log.warning(
            "event=znp_frame_dropped reason=not_a_command head=%s length=%d: "
            "resynchronising on the next start byte",
            candidate[:4].hex(),
            len(frame.payload.data),
        )
        raise InvalidFrame("checksum-valid bytes that are no MT command")

    def _is_command(self, payload: Any) -> bool:
        command = znp_commands.COMMANDS_BY_ID.get(payload.header)
        if command is None:
            return False
        nvram = getattr(self._api, "nvram", None)
        try:
            command.from_frame(payload, align=getattr(nvram, "align_structs", None) or False)
        except Exception:  # any parse failure means "not this command"
            return False
        return True

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_stall_timer()
        super().connection_lost(exc)
        if exc is not None:  # failed, not closed by us: tell a supervisor that connects
            port_loss.report(self.url, exc)

    def close(self) -> None:
        self._cancel_stall_timer()
        super().close()

    # -- the stall deadline -----------------------------------------------------------------

    def _watch_head(self, *, consumed: int) -> None:
        """(Re)start the deadline when a new incomplete frame heads the buffer.

        The deadline belongs to the frame at the head, not to the last byte received:
        a steady trickle of answers must not keep a dead frame alive for ever.
        """
        if not self._buffer:
            self._cancel_stall_timer()
            return
        if consumed or self._stall_timer is None:
            self._cancel_stall_timer()
            loop = asyncio.get_running_loop()
            self._stall_timer = loop.call_later(self.stall_timeout, self._on_stall)

    def _cancel_stall_timer(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None

    def _on_stall(self) -> None:
        self._stall_timer = None
        if not self._buffer or self._api is None:
            return
        head = bytes(self._buffer[:4])
        claimed = self._buffer[1] if len(self._buffer) > 1 else None
        next_sof = self._buffer.find(SOF, 1)
        dropped = next_sof if next_sof > 0 else len(self._buffer)
        del self._buffer[:dropped]
        self.frames_dropped += 1
        log.warning(
            "event=znp_frame_dropped reason=incomplete head=%s claimed_length=%s "
            "dropped_bytes=%d buffered=%d: resynchronising on the next start byte",
            head.hex(),
            claimed,
            dropped,
            len(self._buffer),
        )
        # Parse what waited behind the dead frame (zigpy-znp's own loop, no new bytes).
        self.data_received(b"")


def install() -> None:
    """Make zigpy-znp open its serial port with :class:`ResyncingMtProtocol`.

    ``zigpy_znp.uart.connect`` builds the protocol named ``ZnpMtProtocol`` in its module
    at call time; pointing that name at the subclass is the one hook zigpy-znp offers.
    Idempotent; every ZNP application started afterwards uses it.
    """
    if znp_uart.ZnpMtProtocol is not ResyncingMtProtocol:
        znp_uart.ZnpMtProtocol = ResyncingMtProtocol
