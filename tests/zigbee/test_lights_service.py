"""The lights domain service without HTTP: ids, re-joins, reports and what is stored."""

from __future__ import annotations

import dataclasses

from gateway.domain.events import EventBus
from gateway.domain.lights import LightsService
from gateway.domain.lights.model import LightType
from gateway.store import Store
from tests.zigbee.fakes import DIMMABLE, EXTENDED, FakeTransport, discovered


async def service_for(url: str) -> tuple[Store, LightsService]:
    store = await Store.open(url)
    service = LightsService(store, EventBus(), transport=FakeTransport())
    await service.load()
    return store, service


async def test_reports_are_stored_when_flushed(sqlite_url):
    store, service = await service_for(sqlite_url)
    found = discovered(1)
    await service.discovered(found, may_add=True)
    service.observed(found.address, {"bri": 12, "on": False})
    await service.flush()
    await store.close()
    store, again = await service_for(sqlite_url)
    light = again.get("1")
    assert (light.state["bri"], light.state["on"]) == (12, False)
    await store.close()


async def test_stop_writes_reports_not_yet_flushed(sqlite_url):
    store, service = await service_for(sqlite_url)
    found = discovered(1)
    await service.discovered(found, may_add=True)
    service.start()
    service.observed(found.address, {"bri": 99})
    await service.stop()
    await store.close()
    store, again = await service_for(sqlite_url)
    assert again.get("1").state["bri"] == 99
    await store.close()


async def test_a_known_light_that_joins_again_keeps_its_id_and_name(sqlite_url):
    store, service = await service_for(sqlite_url)
    await service.discovered(discovered(1), may_add=True)
    await service.rename("1", "Porch")
    light = await service.discovered(discovered(1, bri=3), may_add=False)
    assert light is not None
    assert (light.rid, light.name, light.state["bri"]) == ("1", "Porch", 3)
    await store.close()


async def test_a_device_that_joined_while_the_network_was_closed_is_not_added(sqlite_url):
    store, service = await service_for(sqlite_url)
    assert await service.discovered(discovered(1), may_add=False) is None
    assert service.all() == []
    await store.close()


async def test_new_capabilities_from_a_new_interview_change_the_shown_fields(sqlite_url):
    store, service = await service_for(sqlite_url)
    await service.discovered(discovered(1, DIMMABLE, LightType.DIMMABLE), may_add=True)
    await service.discovered(discovered(1, EXTENDED), may_add=False)
    light = service.get("1")
    assert light.type == "Extended color light"
    assert "xy" in service.api_state(light)
    await store.close()


async def test_any_frame_from_an_unreachable_light_makes_it_reachable(sqlite_url):
    store, service = await service_for(sqlite_url)
    found = discovered(1)
    await service.discovered(found, may_add=True)
    service.unreachable(found.address.ieee)
    assert service.api_state(service.get("1"))["reachable"] is False
    service.seen(found.address.ieee)
    assert service.api_state(service.get("1"))["reachable"] is True
    await store.close()


async def test_reports_of_fields_the_light_does_not_have_are_ignored(sqlite_url):
    store, service = await service_for(sqlite_url)
    found = dataclasses.replace(discovered(1, DIMMABLE, LightType.DIMMABLE))
    await service.discovered(found, may_add=True)
    service.observed(found.address, {"hue": 5, "bri": 7})
    state = service.api_state(service.get("1"))
    assert "hue" not in state
    assert state["bri"] == 7
    await store.close()


async def test_a_cached_rendering_follows_a_state_change(sqlite_url):
    store, service = await service_for(sqlite_url)
    found = discovered(1)
    await service.discovered(found, may_add=True)
    first = service.render(service.get("1"))
    service.observed(found.address, {"bri": 1})
    second = service.render(service.get("1"))
    assert second["state"]["bri"] == 1
    assert second["etag"] != first["etag"]
    await store.close()
