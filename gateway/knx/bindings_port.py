"""The bindings' :class:`~gateway.domain.bindings.ports.KnxBus` over :class:`KnxLink`.

Why a thin adapter: the engine in the domain must not see xknx payloads or addresses, and
``KnxLink`` already does the hard parts (bounded sends, reconnects, the event hub). Here a
link event becomes a plain :class:`Telegram`, and DPT names go through ``dpt.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway.domain.bindings.ports import Telegram

from . import dpt as dpt_codec
from .addresses import normalize
from .errors import KnxAddressError
from .link import KnxLink

SUBSCRIPTION_SIZE = 512
"""Telegrams buffered for the engine; beyond it the oldest are dropped (and counted)."""


class LinkBus:
    """The KNX link as the binding engine uses it."""

    def __init__(self, link: KnxLink) -> None:
        self.link = link

    @property
    def connected(self) -> bool:
        return self.link.connected

    def canonical(self, group_address: str) -> str:
        try:
            return normalize(group_address)
        except KnxAddressError as exc:
            raise ValueError(str(exc)) from None

    async def telegrams(self) -> AsyncIterator[Telegram]:
        with self.link.subscribe(None, maxsize=SUBSCRIPTION_SIZE) as events:
            while True:
                event = await events.get()
                yield Telegram(event.group_address, event.kind, event.payload, event.own)

    def decode(self, dpt: str, payload: object) -> int | float:
        return dpt_codec.decode(dpt, payload)

    async def write(self, group_address: str, dpt: str, value: int | float) -> None:
        await self.link.write(group_address, dpt, value)

    async def respond(self, group_address: str, dpt: str, value: int | float) -> None:
        await self.link.respond_raw(group_address, dpt_codec.encode(dpt, value))
