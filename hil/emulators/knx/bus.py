"""The simulated KNX line: every telegram on it, who saw it, and who reacts.

No KNXnet/IP here: the tunnelling server (``server.py``) puts client telegrams on the bus
and forwards bus telegrams to its clients; devices (``devices.py``) react to telegrams and
put their answers on the bus after a delay. Tests read ``log`` and wait on it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.telegram import GroupAddress, IndividualAddress, Telegram
from xknx.telegram.address import InternalGroupAddress
from xknx.telegram.apci import GroupValueRead, GroupValueResponse, GroupValueWrite

TelegramKind = Literal["write", "read", "response", "other"]
Payload = DPTBinary | DPTArray


def ga_text(address: GroupAddress | IndividualAddress | InternalGroupAddress | str) -> str:
    """Three-level text of a group address, whatever xknx's global display format is."""
    if isinstance(address, str):
        address = GroupAddress(address)
    if not isinstance(address, GroupAddress):
        return str(address)
    raw = address.raw
    return f"{raw >> 11 & 0x1F}/{raw >> 8 & 0x07}/{raw & 0xFF}"


@dataclass(frozen=True)
class BusTelegram:
    """One telegram as the line carried it.

    ``origin`` says who put it there: ``"tunnel:<channel>"`` for a tunnel client,
    ``"device:<name>"`` for a simulated actuator, ``"inject"`` for a test.
    """

    source: str
    destination: str
    kind: TelegramKind
    payload: Payload | None
    origin: str
    at: float
    telegram: Telegram = field(repr=False, compare=False)

    @classmethod
    def from_telegram(cls, telegram: Telegram, origin: str, at: float) -> BusTelegram:
        """Classify an xknx telegram as write/read/response (anything else is "other")."""
        apci = telegram.payload
        kind: TelegramKind
        payload: Payload | None = None
        if isinstance(apci, GroupValueWrite):
            kind, payload = "write", apci.value
        elif isinstance(apci, GroupValueResponse):
            kind, payload = "response", apci.value
        elif isinstance(apci, GroupValueRead):
            kind = "read"
        else:
            kind = "other"
        return cls(
            source=str(telegram.source_address),
            destination=ga_text(telegram.destination_address),
            kind=kind,
            payload=payload,
            origin=origin,
            at=at,
            telegram=telegram,
        )


class BusListener(Protocol):
    """Anything attached to the line (a device, the tunnel server)."""

    def on_telegram(self, telegram: BusTelegram) -> None:
        """Called synchronously for every telegram on the line except its own."""


@dataclass(eq=False)
class _Waiter:
    predicate: Callable[[BusTelegram], bool]
    future: asyncio.Future[BusTelegram]


class Bus:
    """The line: a log of telegrams and the listeners that see them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.log: list[BusTelegram] = []
        self._listeners: list[BusListener] = []
        self._waiters: list[_Waiter] = []

    def attach(self, listener: BusListener) -> None:
        """Let ``listener`` see every telegram from now on."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def detach(self, listener: BusListener) -> None:
        """Stop delivering to ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def put(self, telegram: Telegram, origin: str, sender: object = None) -> BusTelegram:
        """Carry ``telegram``: log it, wake waiters, deliver to every listener but ``sender``."""
        entry = BusTelegram.from_telegram(telegram, origin, self.clock())
        self.log.append(entry)
        for waiter in list(self._waiters):
            if not waiter.future.done() and waiter.predicate(entry):
                waiter.future.set_result(entry)
        for listener in list(self._listeners):
            if listener is not sender:
                listener.on_telegram(entry)
        return entry

    async def wait_for(
        self,
        predicate: Callable[[BusTelegram], bool],
        within: float,
        since: int = 0,
    ) -> BusTelegram:
        """The first telegram at log index >= ``since`` matching ``predicate``.

        Looks at the log first, so a telegram that arrived before the call is found too.
        Raises ``TimeoutError`` after ``within`` seconds.
        """
        for entry in self.log[since:]:
            if predicate(entry):
                return entry
        waiter = _Waiter(predicate, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(within):
                return await waiter.future
        finally:
            self._waiters.remove(waiter)
