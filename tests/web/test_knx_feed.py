"""The KNX feed's own rules: decoding by catalogue, raw when unknown, bounded memory."""

from __future__ import annotations

import asyncio

from xknx.dpt.payload import DPTArray, DPTBinary

from gateway.knx.catalogue import catalogue_of
from gateway.knx.catalogue_file import load_file
from gateway.knx.events import EventHub, GroupEvent
from gateway.knx.feed import KnxFeed, Watcher, payload_hex
from hil.virtual_knx import VIRTUAL_CATALOGUE


class HubLink:
    """Just the link's event side (a real EventHub), for unit tests of the feed."""

    def __init__(self) -> None:
        self.hub = EventHub()

    def subscribe(self, group_address=None, maxsize=64):
        return self.hub.subscribe(group_address, maxsize)

    def last_event(self, group_address):
        return self.hub.last_event(group_address)


def event(address: str, payload, *, own: bool = False, kind: str = "write") -> GroupEvent:
    return GroupEvent(address, payload, kind, "1.1.7", own, 0.0)  # type: ignore[arg-type]


def catalogue():
    devices, _ = load_file(VIRTUAL_CATALOGUE)
    return catalogue_of(devices, source="t", sha256="", loaded_at=None)


async def settle(feed: KnxFeed, count: int) -> None:
    for _ in range(200):
        if len(feed.history()) >= count:
            return
        await asyncio.sleep(0.005)


async def test_known_addresses_are_decoded_unknown_and_misfitting_ones_shown_raw():
    link = HubLink()
    cat = catalogue()
    feed = KnxFeed(link, lambda: cat)  # type: ignore[arg-type]
    feed.start()
    try:
        link.hub.publish(event("3/0/1", DPTArray((0x0C, 0x1A))))  # 2-byte float, thermostat
        link.hub.publish(event("7/7/7", DPTArray((0x01, 0x02))))  # not in the catalogue
        link.hub.publish(event("1/0/2", DPTArray((1, 2, 3))))  # DPT 1 address, 3 bytes
        link.hub.publish(event("1/0/2", None, kind="read", own=True))
        await settle(feed, 4)
    finally:
        await feed.stop()
    temp, unknown, misfit, read = feed.history()
    assert temp["device"] == "Living room thermostat" and temp["unit"] == "°C"
    assert abs(temp["value"] - 21.0) < 0.1
    assert unknown == {**unknown, "value": None, "raw": "0102", "dpt": None, "device": None}
    assert misfit["value"] is None and misfit["raw"] == "010203"
    assert misfit["device"] == "Living room light"
    assert read["kind"] == "read" and read["direction"] == "out" and read["raw"] == ""


async def test_history_and_a_stalled_watcher_keep_only_the_newest():
    link = HubLink()
    feed = KnxFeed(link, lambda: catalogue(), history=5)  # type: ignore[arg-type]
    feed.start()
    try:
        with feed.watch() as watcher:
            watcher._queue = type(watcher._queue)(maxlen=3)  # a small one for the test
            for value in range(10):
                link.hub.publish(event("1/0/2", DPTBinary(value % 2)))
            await settle(feed, 5)
            await asyncio.sleep(0.05)
            kept = [await watcher.get() for _ in range(3)]
        assert feed.watcher_count == 0
    finally:
        await feed.stop()
    assert len(feed.history()) == 5
    assert [t["value"] for t in kept] == [1, 0, 1]  # the last three of 0..9 mod 2


def test_payload_hex_shows_small_values_and_bytes():
    assert payload_hex(DPTBinary(1)) == "0x01"
    assert payload_hex(DPTArray((0xAB, 0x01))) == "ab01"
    assert payload_hex(None) == ""


async def test_watcher_get_waits_for_the_next_item():
    closed: list[Watcher] = []
    watcher = Watcher(closed.append)
    waiter = asyncio.create_task(watcher.get())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    watcher.offer({"n": 1})
    assert await asyncio.wait_for(waiter, 1) == {"n": 1}
    watcher.close()
    watcher.close()
    assert closed == [watcher]
