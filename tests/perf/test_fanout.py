"""Event fan-out: one encoding per event, bounded buffers, no polling, nothing lost."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from gateway.api.deconz.websocket import build_websocket_app
from gateway.domain.events import EventBus, Published, SubscriptionClosed
from tests.helpers.servers import running_server
from tests.helpers.waiting import until


def light_event(n: int) -> dict:
    return {"t": "event", "e": "changed", "r": "lights", "id": str(n), "state": {"bri": n}}


async def test_every_subscriber_gets_the_same_envelope_encoded_once():
    bus = EventBus()
    subs = [bus.subscribe(8) for _ in range(3)]
    bus.publish(light_event(1))
    items = [await sub.next() for sub in subs]
    assert all(item is items[0] for item in items)
    text = items[0].text
    assert json.loads(text) == light_event(1)
    assert items[1].text is text  # encoded once, shared


async def test_publishing_with_no_subscriber_builds_nothing(monkeypatch):
    built: list[dict] = []
    original = Published.__init__

    def spy(self, event):
        built.append(event)
        original(self, event)

    monkeypatch.setattr(Published, "__init__", spy)
    bus = EventBus()
    bus.publish(light_event(1))
    assert built == []
    bus.subscribe()
    bus.publish(light_event(2))
    assert built == [light_event(2)]


async def test_an_overflowing_buffer_closes_the_subscription_and_signals_it_at_once():
    bus = EventBus()
    sub = bus.subscribe(2)
    waiter = asyncio.create_task(sub.closed_signal.wait())
    for n in range(3):
        bus.publish(light_event(n))
    await asyncio.wait_for(waiter, 1)  # woken by the overflow itself, no watcher loop
    assert sub.overflowed and bus.subscriber_count == 0
    try:
        await sub.next()
    except SubscriptionClosed:
        pass
    else:
        raise AssertionError("a closed subscription must not yield events")


async def test_a_waiting_consumer_wakes_for_the_next_event():
    bus = EventBus()
    sub = bus.subscribe(4)
    getter = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    bus.publish(light_event(7))
    assert (await asyncio.wait_for(getter, 1))["id"] == "7"


async def test_fifty_websocket_clients_each_receive_every_event_in_order():
    bus = EventBus()
    app = build_websocket_app(bus, queue_size=256)
    clients, events = 50, 200
    async with running_server(app) as base:
        url = base.replace("http://", "ws://")
        sockets = [await connect(url) for _ in range(clients)]
        try:
            await until(lambda: app.state.socket.clients == clients)

            async def read(ws) -> list[str]:
                return [json.loads(await ws.recv())["id"] for _ in range(events)]

            readers = [asyncio.create_task(read(ws)) for ws in sockets]
            for n in range(events):
                bus.publish(light_event(n))
                if n % 20 == 19:
                    await asyncio.sleep(0.01)
            received = await asyncio.wait_for(asyncio.gather(*readers), 60)
        finally:
            for ws in sockets:
                await ws.close()
    expected = [str(n) for n in range(events)]
    assert all(ids == expected for ids in received)
