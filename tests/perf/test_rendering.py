"""GET /lights serves bytes encoded once per change, and never bytes older than a change."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.api.deconz.routing import encode_json
from gateway.domain.events import EventBus
from gateway.domain.lights import LightsService
from gateway.store import Store
from tests.zigbee.fakes import FakeTransport, discovered


async def service_for(url: str) -> tuple[Store, LightsService]:
    store = await Store.open(url)
    service = LightsService(store, EventBus(), transport=FakeTransport())
    await service.load()
    return store, service


async def test_the_collection_bytes_are_the_json_of_every_light(sqlite_url):
    store, service = await service_for(sqlite_url)
    for n in range(1, 4):
        await service.discovered(discovered(n), may_add=True)
    collection = service.rendered_all()
    decoded = json.loads(collection.content)
    assert set(decoded) == {"1", "2", "3"}
    for light in service.all():
        assert decoded[light.rid] == json.loads(service.rendered(light).content)
        assert decoded[light.rid] == service.render(light)
    await store.close()


async def test_unchanged_lights_are_served_from_the_same_bytes(sqlite_url):
    store, service = await service_for(sqlite_url)
    await service.discovered(discovered(1), may_add=True)
    first = service.rendered_all()
    assert service.rendered_all() is first
    assert service.rendered(service.get("1")) is service.rendered(service.get("1"))
    await store.close()


async def test_a_report_changes_the_bytes_and_the_etag_of_the_light_and_the_collection(
    sqlite_url,
):
    store, service = await service_for(sqlite_url)
    found = discovered(1)
    await service.discovered(found, may_add=True)
    await service.discovered(discovered(2), may_add=True)
    light_before = service.rendered(service.get("1"))
    all_before = service.rendered_all()
    other_before = service.rendered(service.get("2"))
    service.observed(found.address, {"bri": 3})
    light_after = service.rendered(service.get("1"))
    all_after = service.rendered_all()
    assert json.loads(light_after.content)["state"]["bri"] == 3
    assert json.loads(all_after.content)["1"]["state"]["bri"] == 3
    assert light_after.etag != light_before.etag
    assert all_after.etag != all_before.etag
    assert service.rendered(service.get("2")) is other_before  # only the changed light
    await store.close()


async def test_a_rename_a_new_light_and_a_delete_each_change_the_collection(sqlite_url):
    store, service = await service_for(sqlite_url)
    await service.discovered(discovered(1), may_add=True)
    tags = [service.rendered_all().etag]
    await service.rename("1", "Desk")
    assert json.loads(service.rendered_all().content)["1"]["name"] == "Desk"
    tags.append(service.rendered_all().etag)
    await service.discovered(discovered(2), may_add=True)
    assert set(json.loads(service.rendered_all().content)) == {"1", "2"}
    tags.append(service.rendered_all().etag)
    await service.delete("2")
    assert set(json.loads(service.rendered_all().content)) == {"1"}
    tags.append(service.rendered_all().etag)
    assert len(set(tags)) == 4
    await store.close()


async def test_losing_the_radio_changes_reachable_in_the_cached_bytes(sqlite_url):
    store, service = await service_for(sqlite_url)
    await service.discovered(discovered(1), may_add=True)
    up = service.rendered_all()
    assert json.loads(up.content)["1"]["state"]["reachable"] is True
    service.transport.up = False
    down = service.rendered_all()
    assert json.loads(down.content)["1"]["state"]["reachable"] is False
    assert down.etag != up.etag
    await store.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_encoded_json_reads_back_as_the_same_value(value):
    assert json.loads(encode_json(value)) == value


def test_values_orjson_refuses_still_encode():
    huge = 2**80
    assert json.loads(encode_json({"n": huge})) == {"n": huge}
