"""A second KNX tunnel that watches the bus, to see what the gateway put on it.

Why a separate tunnel and not the emulator's bus log: the same code must observe a real KNX
installation, where the only window on the bus is another KNXnet/IP tunnel (a KNX IP
interface passes every group telegram of one tunnel to the others, as the emulator does).
It connects straight to the interface, never through the suite's relay, so it keeps
watching while the gateway's path is cut. Built on xknx: this is a peer, not the code under
test, and xknx is the reference client the gateway itself uses.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from xknx import XKNX
from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.io import ConnectionConfig, ConnectionType
from xknx.telegram import GroupAddress, Telegram
from xknx.telegram.apci import GroupValueRead, GroupValueResponse, GroupValueWrite

from hil.watched_log import WatchedLog

CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class SeenTelegram:
    """A group telegram as seen on the bus: ``value`` is the bit (int) or the bytes."""

    destination: str
    source: str
    kind: str  # "write" | "response" | "read"
    value: int | bytes | None
    at: float


def _seen(telegram: Telegram) -> SeenTelegram | None:
    payload = telegram.payload
    if isinstance(payload, GroupValueWrite):
        kind = "write"
    elif isinstance(payload, GroupValueResponse):
        kind = "response"
    elif isinstance(payload, GroupValueRead):
        kind = "read"
    else:
        return None
    value: int | bytes | None = None
    raw = getattr(payload, "value", None)
    if isinstance(raw, DPTBinary):
        value = int(raw.value)
    elif isinstance(raw, DPTArray):
        value = bytes(raw.value)
    return SeenTelegram(
        destination=str(telegram.destination_address),
        source=str(telegram.source_address),
        kind=kind,
        value=value,
        at=time.monotonic(),
    )


class BusMonitor:
    """``async with BusMonitor(host, port) as bus:`` then ``await bus.wait_for(...)``."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._log: WatchedLog[SeenTelegram] = WatchedLog()
        self._xknx = XKNX(
            telegram_received_cb=self._received,
            connection_config=ConnectionConfig(
                connection_type=ConnectionType.TUNNELING,
                gateway_ip=host,
                gateway_port=port,
                auto_reconnect=False,
            ),
        )

    async def __aenter__(self) -> BusMonitor:
        await asyncio.wait_for(self._xknx.start(), CONNECT_TIMEOUT)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.wait_for(self._xknx.stop(), CONNECT_TIMEOUT)

    def _received(self, telegram: Telegram) -> None:
        seen = _seen(telegram)
        if seen is not None:
            self._log.append(seen)

    async def write(self, group_address: str, payload: DPTBinary | DPTArray) -> None:
        """Put a GroupValueWrite on the bus, as a wall switch on this tunnel would."""
        telegram = Telegram(GroupAddress(group_address), payload=GroupValueWrite(payload))
        await self._xknx.telegrams.put(telegram)

    async def read(self, group_address: str) -> None:
        """Put a GroupValueRead on the bus (a visualisation asking for a status)."""
        await self._xknx.telegrams.put(
            Telegram(GroupAddress(group_address), payload=GroupValueRead())
        )

    @property
    def seen(self) -> list[SeenTelegram]:
        return self._log.items

    async def wait_for(
        self, predicate: Callable[[SeenTelegram], bool], *, timeout: float, since: int = 0
    ) -> SeenTelegram:
        """The first telegram from index ``since`` on that matches; TimeoutError after
        ``timeout`` seconds with what was seen in the message."""
        return await self._log.wait_for(predicate, timeout=timeout, since=since)
