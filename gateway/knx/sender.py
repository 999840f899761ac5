"""The one outgoing path to the bus: a FIFO, a rate limit, and a deadline per telegram.

Why not xknx's ``xknx.telegrams`` queue: it is fire-and-forget (the caller never learns
whether the telegram went out), it has no deadline (a telegram queued while the tunnel is
down is sent whenever it comes back, long after the API answered), and its rate limiter
lives inside it. Here every telegram carries a future and a deadline: the caller waits at
most ``request_timeout``, and a telegram whose caller gave up before it reached the head
of the queue is dropped instead of sent late. One worker sends one telegram at a time, as
xknx's CEMI handler expects (it matches L_Data.con confirmations to the last request).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from xknx.exceptions import CommunicationError, ConfirmationError, XKNXException
from xknx.telegram import Telegram

from .errors import KnxError, KnxTimeout, KnxUnavailable

log = logging.getLogger(__name__)

SendFunction = Callable[[Telegram], Awaitable[None]]


class RateLimiter:
    """At most ``rate`` starts per second, evenly spaced; ``rate == 0`` means unlimited.

    Evenly spaced rather than a token bucket on purpose: a KNX TP line carries about
    50 telegrams/s, and bursts are what overruns the IP interface's queue.
    """

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next = 0.0

    async def acquire(self) -> None:
        """Wait for the next slot.

        Slots follow the schedule, not the moment a sleep happened to end, so timer
        overshoot does not accumulate into a lower rate; after idling the schedule restarts.
        """
        if not self._interval:
            return
        now = self._clock()
        if self._next <= now:
            self._next = now
        else:
            await asyncio.sleep(self._next - now)
        self._next += self._interval


@dataclass(eq=False)
class Outgoing:
    """One telegram waiting to be sent, and the caller waiting for it."""

    telegram: Telegram
    deadline: float
    future: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    abandoned: bool = False


class Sender:
    """Sends queued telegrams one by one through ``send``, each within its deadline."""

    def __init__(
        self,
        send: SendFunction,
        *,
        rate_limit: float,
        clock: Callable[[], float],
        is_up: Callable[[], bool],
        describe_down: Callable[[], str],
    ) -> None:
        self._send = send
        self._clock = clock
        self._is_up = is_up
        self._describe_down = describe_down
        self._limiter = RateLimiter(rate_limit, clock)
        self._queue: asyncio.Queue[Outgoing] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0

    def start(self) -> None:
        """Start the worker task."""
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="knx-sender")

    async def stop(self) -> None:
        """Stop the worker and fail whatever is still queued."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if not item.future.done():
                item.future.set_exception(KnxUnavailable("KNX link stopped"))

    @property
    def pending(self) -> int:
        """Telegrams queued and not yet sent (including abandoned ones not yet skipped)."""
        return self._queue.qsize()

    async def send(self, telegram: Telegram, within: float) -> None:
        """Queue ``telegram`` and wait until it is confirmed, failed, or ``within`` s passed."""
        item = Outgoing(telegram, self._clock() + within)
        self._queue.put_nowait(item)
        try:
            async with asyncio.timeout(within):
                await asyncio.shield(item.future)
        except TimeoutError:
            item.abandoned = True
            raise KnxTimeout(
                f"telegram to {telegram.destination_address} not confirmed within {within:g} s"
            ) from None
        except asyncio.CancelledError:
            item.abandoned = True
            raise
        finally:
            if item.future.done() and not item.future.cancelled():
                item.future.exception()  # retrieved: never "exception was never retrieved"

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            if item.abandoned or item.future.done():
                continue
            if not self._is_up():
                item.future.set_exception(KnxUnavailable(self._describe_down()))
                continue
            await self._limiter.acquire()
            remaining = item.deadline - self._clock()
            if item.abandoned or remaining <= 0:
                continue
            if not self._is_up():  # lost while waiting for the slot
                item.future.set_exception(KnxUnavailable(self._describe_down()))
                continue
            await self._send_one(item, remaining)

    async def _send_one(self, item: Outgoing, remaining: float) -> None:
        error: KnxError | None = None
        try:
            async with asyncio.timeout(remaining):
                await self._send(item.telegram)
        except TimeoutError:
            error = KnxTimeout(f"telegram to {item.telegram.destination_address} timed out")
        except ConfirmationError as exc:
            error = KnxTimeout(f"no L_Data.con from the KNX interface ({exc})")
        except CommunicationError as exc:
            error = KnxUnavailable(f"KNX interface unreachable ({exc})")
        except XKNXException as exc:
            error = KnxUnavailable(f"KNX send failed ({exc})")
        if error is None:
            self.sent += 1
            if not item.future.done():
                item.future.set_result(None)
            return
        self.failed += 1
        log.warning(
            "event=knx_send_failed destination=%s error=%s",
            item.telegram.destination_address,
            error,
        )
        if not item.future.done():
            item.future.set_exception(error)
