"""Light events on the websocket, field by field as deCONZ sends them."""

from __future__ import annotations

import asyncio
import contextlib
import json

from websockets.asyncio.client import connect

from gateway.api.deconz.websocket import build_websocket_app
from tests.helpers.servers import running_server
from tests.zigbee.fakes import discovered, lights_rig

UNIQUEID = "00:17:88:01:0E:00:00:01-0B"


@contextlib.asynccontextmanager
async def events_of(rig):
    app = build_websocket_app(rig.h.services.events)
    async with running_server(app) as base, connect(base.replace("http://", "ws://")) as ws:
        while rig.h.services.events.subscriber_count == 0:
            await asyncio.sleep(0.01)
        yield ws


async def next_event(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), 3))


async def test_a_new_light_is_announced_with_the_whole_light(sqlite_url):
    async with lights_rig(sqlite_url) as rig, events_of(rig) as ws:
        await rig.service.discovered(discovered(1), may_add=True)
        event = await next_event(ws)
        light = (await rig.client.get(rig.url("/1"))).json()
        assert event == {
            "t": "event",
            "e": "added",
            "r": "lights",
            "id": "1",
            "uniqueid": UNIQUEID,
            "light": light,
        }


async def test_a_state_change_sends_the_whole_state_by_default(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        async with events_of(rig) as ws:
            await rig.client.put(rig.url("/1/state"), json={"bri": 10})
            event = await next_event(ws)
        state = (await rig.client.get(rig.url("/1"))).json()["state"]
        assert event == {
            "t": "event",
            "e": "changed",
            "r": "lights",
            "id": "1",
            "uniqueid": UNIQUEID,
            "state": state,
        }
        assert state["bri"] == 10


async def test_with_websocketnotifyall_off_only_changed_fields_are_sent(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        await rig.client.put(f"/api/{rig.key}/config", json={"websocketnotifyall": False})
        async with events_of(rig) as ws:
            await rig.client.put(rig.url("/1/state"), json={"xy": [0.2, 0.3]})
            event = await next_event(ws)
        assert event["state"] == {"xy": [0.2, 0.3], "colormode": "xy"}


async def test_a_report_is_sent_as_a_changed_event(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        found = discovered(1)
        await rig.service.discovered(found, may_add=True)
        async with events_of(rig) as ws:
            rig.service.observed(found.address, {"on": False})
            event = await next_event(ws)
        assert event["e"] == "changed"
        assert event["state"]["on"] is False


async def test_a_report_that_changes_nothing_sends_nothing(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        found = discovered(1)
        await rig.service.discovered(found, may_add=True)
        async with events_of(rig) as ws:
            rig.service.observed(found.address, {"on": True, "bri": 200})
            rig.service.observed(found.address, {"bri": 100})
            event = await next_event(ws)
        assert event["state"]["bri"] == 100


async def test_a_rename_sends_attr_and_name(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        async with events_of(rig) as ws:
            await rig.client.put(rig.url("/1"), json={"name": "Desk"})
            event = await next_event(ws)
        assert event == {
            "t": "event",
            "e": "changed",
            "r": "lights",
            "id": "1",
            "uniqueid": UNIQUEID,
            "name": "Desk",
            "attr": {
                "id": "1",
                "manufacturername": "Signify Netherlands B.V.",
                "modelid": "LCT015",
                "name": "Desk",
                "swversion": "1.104.2",
                "type": "Extended color light",
                "uniqueid": UNIQUEID,
            },
        }


async def test_a_delete_sends_a_deleted_event(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        async with events_of(rig) as ws:
            await rig.client.delete(rig.url("/1"))
            event = await next_event(ws)
        assert event == {
            "t": "event",
            "e": "deleted",
            "r": "lights",
            "id": "1",
            "uniqueid": UNIQUEID,
        }


async def test_losing_the_radio_announces_every_light_unreachable(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        async with events_of(rig) as ws:
            rig.transport.up = False
            rig.service.radio_changed(before_up=True)
            event = await next_event(ws)
        assert event["state"]["reachable"] is False
