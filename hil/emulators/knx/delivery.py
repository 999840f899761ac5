"""Frames to one client, in order: over UDP one unacknowledged frame at a time, repeated
once, and the client dropped when neither is acknowledged (KNX 03.08.04 §2.6).

Why a module of its own: it is the emulator's only long-running loop per connection, and
the acknowledgement rules for what *we* send differ from those for what we receive (which
the handlers in ``tunnelling.py`` apply). TCP is reliable, so there nothing waits for acks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from xknx.knxip import ErrorCode, TunnellingRequest

from .tunnel_state import TunnelConnection

log = logging.getLogger(__name__)

TUNNELLING_REQUEST_TIMEOUT = 1.0  # KNX 03.08.04 §2.6: ack within 1 s, repeat once


async def deliver_outbox(
    conn: TunnelConnection, give_up: Callable[[TunnelConnection], None]
) -> None:
    """Deliver ``conn``'s outbox in order; over UDP wait for each ack (the handler of
    TUNNELLING_ACK resolves ``conn.pending_ack``), repeat once, then ``give_up``."""
    loop = asyncio.get_running_loop()
    while True:
        raw = await conn.outbox.get()
        sequence = conn.tx_sequence
        request = TunnellingRequest(
            communication_channel_id=conn.channel, sequence_counter=sequence, raw_cemi=raw
        )
        if conn.peer.kind == "tcp":
            conn.peer.send(request)
            conn.tx_sequence = (sequence + 1) & 0xFF
            conn.frames_out += 1
            continue
        for _attempt in range(2):
            future: asyncio.Future[ErrorCode] = loop.create_future()
            conn.pending_ack[sequence] = future
            conn.peer.send(request, conn.data_addr)
            try:
                async with asyncio.timeout(TUNNELLING_REQUEST_TIMEOUT):
                    status = await future
            except TimeoutError:
                continue
            finally:
                conn.pending_ack.pop(sequence, None)
            if status is ErrorCode.E_NO_ERROR:
                break
        else:
            log.info("channel=%s dropped: tunnelling request not acknowledged", conn.channel)
            give_up(conn)
            return
        conn.tx_sequence = (sequence + 1) & 0xFF
        conn.frames_out += 1
