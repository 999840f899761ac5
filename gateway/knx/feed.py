"""The KNX side as a person watching it sees it: link state, devices, a live bus monitor.

Why a feed of its own instead of handing the link to the HTTP layer: the page wants group
telegrams *decoded* (``1/0/2 Living room light · power = 1``), a short history when it
opens, and a stream that never slows the bus down. The link's subscriptions already drop
the oldest event when a consumer lags; this feed keeps the last :data:`HISTORY` telegrams
for late joiners and hands each watcher its own bounded queue (drop-oldest too), so a
stalled browser tab costs only its own stale telegrams.

Decoding uses the Thinknx catalogue: a group address that a controller commands or reports
on is decoded with that controller's DPT; any other address is shown raw (hex), because
KNX telegrams do not carry their type.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from xknx.dpt.dpt import DPTBase
from xknx.dpt.payload import DPTArray, DPTBinary

from gateway.domain.knx_controllers import wire_dpt

from . import dpt as dpt_codec
from .catalogue import Catalogue, ControllerConfig
from .events import GroupEvent, Subscription
from .link import KnxLink

log = logging.getLogger(__name__)

HISTORY = 100
"""Telegrams a newly opened monitor shows at once."""
WATCHER_QUEUE = 256
"""Telegrams one watcher may lag behind before its oldest ones are dropped."""


@dataclass(frozen=True)
class Meaning:
    """What a group address is, according to the catalogue."""

    device: str  # the device's name
    guid: str
    controller: str
    role: str  # "command" or "status"
    dpt: str  # the DPT the bus carries (enumerations travel as bytes, DPT 5)


def meanings(catalogue: Catalogue) -> dict[str, Meaning]:
    """Group address -> meaning, for every address the catalogue names."""
    found: dict[str, Meaning] = {}
    for device in catalogue.devices.values():
        for name, config in device.controllers.items():
            for role, address in (("command", config.command), ("status", config.status)):
                if address is not None and address not in found:
                    dpt = "5" if name == "scenelaunch" and role == "command" else config.dpt
                    found[address] = Meaning(device.name, device.guid, name, role, wire_dpt(dpt))
    return found


def payload_hex(payload: DPTBinary | DPTArray | None) -> str:
    """The payload as the bus carries it: ``0x01`` for small values, bytes otherwise."""
    if payload is None:
        return ""
    if isinstance(payload, DPTBinary):
        return f"0x{payload.value:02x}"
    return "".join(f"{b:02x}" for b in payload.value)


def decode(meaning: Meaning | None, payload: DPTBinary | DPTArray | None) -> float | int | None:
    """The number a payload carries, when the catalogue tells its DPT and it fits."""
    if meaning is None or payload is None:
        return None
    try:
        return dpt_codec.decode(meaning.dpt, payload)
    except dpt_codec.DptError:
        return None


def unit_of(dpt: str) -> str:
    """The unit for a DPT: ours if the table names one, else xknx's (9.001 -> °C)."""
    with contextlib.suppress(dpt_codec.DptError):
        if unit := dpt_codec.spec(dpt).unit:
            return unit
    transcoder = DPTBase.parse_transcoder(dpt)
    return str(getattr(transcoder, "unit", None) or "") if transcoder is not None else ""


class Watcher:
    """One live monitor: a bounded queue of telegram dicts (oldest dropped when full)."""

    def __init__(self, on_close: Callable[[Watcher], None], maxsize: int = WATCHER_QUEUE) -> None:
        self._queue: deque[dict[str, Any]] = deque(maxlen=maxsize)
        self._ready = asyncio.Event()
        self._on_close = on_close
        self.closed = False

    def offer(self, item: dict[str, Any]) -> None:
        self._queue.append(item)
        self._ready.set()

    async def get(self) -> dict[str, Any]:
        """The next telegram; raises :class:`asyncio.CancelledError` only if cancelled."""
        while not self._queue:
            self._ready.clear()
            await self._ready.wait()
        return self._queue.popleft()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._on_close(self)


class KnxFeed:
    """Subscribes to every group telegram of the link and describes the bus for people."""

    def __init__(
        self,
        link: KnxLink,
        catalogue: Callable[[], Catalogue],
        *,
        history: int = HISTORY,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._link = link
        self._catalogue = catalogue
        self._history: deque[dict[str, Any]] = deque(maxlen=history)
        self._watchers: list[Watcher] = []
        self._now = now
        self._task: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None
        self._meanings: dict[str, Meaning] = {}
        self._meanings_of: Catalogue | None = None

    # -- life cycle ----------------------------------------------------------------------

    @property
    def link(self) -> KnxLink:
        """The link this feed watches (the page's tests write telegrams through it)."""
        return self._link

    def start(self) -> None:
        """Start following the bus (subscribes at once: nothing sent after this is missed)."""
        if self._task is None:
            self._subscription = self._link.subscribe(None, maxsize=WATCHER_QUEUE)
            self._task = asyncio.create_task(self._follow(), name="knx-feed")

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- what the page reads ---------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """The link as a status line: mode, state, since when, counters."""
        link = self._link
        settings = link.settings
        counters = link.counters
        since = link.connected_since
        return {
            "mode": settings.mode,
            "state": str(link.state),
            "connected": link.connected,
            "connectedsince": since.strftime("%Y-%m-%dT%H:%M:%S") if since else None,
            "individualaddress": link.individual_address,
            "counters": {
                "sent": counters.sent,
                "received": counters.received,
                "sendfailures": counters.send_failures,
                "connects": counters.connects,
                "losses": counters.losses,
            },
        }

    def devices(self) -> dict[str, Any]:
        """The catalogue's devices with the last value seen on each status address."""
        result: dict[str, Any] = {}
        for guid, device in self._catalogue().devices.items():
            controllers = {
                name: self._controller(config) for name, config in device.controllers.items()
            }
            result[guid] = {"name": device.name, "type": device.type, "controllers": controllers}
        return result

    def history(self) -> list[dict[str, Any]]:
        """The last telegrams, oldest first."""
        return list(self._history)

    @contextlib.contextmanager
    def watch(self) -> Iterator[Watcher]:
        """A live stream of telegrams from now on; closed when the block ends."""
        watcher = Watcher(self._watchers.remove)
        self._watchers.append(watcher)
        try:
            yield watcher
        finally:
            watcher.close()

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)

    # -- internals -------------------------------------------------------------------------

    def _controller(self, config: ControllerConfig) -> dict[str, Any]:
        last = self._link.last_event(config.status) if config.status else None
        value = decode(self._meaning(config.status), last.payload) if last else None
        return {
            "command": config.command,
            "status": config.status,
            "dpt": config.dpt,
            "value": value,
        }

    def _meaning(self, address: str | None) -> Meaning | None:
        catalogue = self._catalogue()
        if catalogue is not self._meanings_of:
            self._meanings = meanings(catalogue)
            self._meanings_of = catalogue
        return self._meanings.get(address) if address else None

    def describe(self, event: GroupEvent) -> dict[str, Any]:
        """One telegram as the monitor shows it (JSON-ready)."""
        meaning = self._meaning(event.group_address)
        value = decode(meaning, event.payload)
        unit = unit_of(meaning.dpt) if meaning is not None and value is not None else ""
        return {
            "time": self._now().strftime("%Y-%m-%dT%H:%M:%S"),
            "direction": "out" if event.own else "in",
            "kind": event.kind,
            "source": event.source,
            "destination": event.group_address,
            "raw": payload_hex(event.payload),
            "dpt": meaning.dpt if meaning else None,
            "value": value,
            "unit": unit,
            "device": meaning.device if meaning else None,
            "controller": meaning.controller if meaning else None,
        }

    async def _follow(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            try:
                item = self.describe(event)
            except Exception:  # a telegram we cannot describe costs only that telegram
                log.exception("event=knx_feed_describe_failed address=%s", event.group_address)
                continue
            self._history.append(item)
            for watcher in list(self._watchers):
                watcher.offer(item)
