"""Bindings made over the API are stored: they come back after a restart, ids never reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.domain.bindings import BindingEngine
from gateway.domain.bindings.service import BindingReadOnly, BindingsService
from gateway.knx.bindings_file import canonical_group_address, parse_bindings
from gateway.store import Store

from .fakes import FakeBus, FakeLights

LIGHT = {"on": False, "bri": 1, "reachable": True}


def service_over(store: Store) -> BindingsService:
    bus = FakeBus()
    engine = BindingEngine(bus, lights=FakeLights({"1": dict(LIGHT), "2": dict(LIGHT)}))
    return BindingsService(store.bindings, engine, canonical_group_address)


async def test_stored_bindings_come_back_after_a_restart_and_ids_are_not_reused(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    store = await Store.open(url)
    service = service_over(store)
    await service.load()
    first = await service.create(
        {"target": {"type": "light", "id": "1"}, "knx": {"switch": "1/0/1"}}
    )
    second = await service.create(
        {"name": "two", "target": {"type": "light", "id": "2"}, "knx": {"switch": "1/0/2"}}
    )
    await service.update(second.id, {"knx": {"switch": ["1/0/3", "1/7/0"]}})
    await service.delete(first.id)
    await store.close()

    store = await Store.open(url)
    again = service_over(store)
    await again.load()
    (kept,) = again.all()
    assert (kept.id, kept.name, kept.addresses["switch"]) == (second.id, "two", ("1/0/3", "1/7/0"))
    assert [b.id for b in again.engine.bindings] == [second.id], "in service after the restart"
    third = await again.create({"target": {"type": "light", "id": "1"}, "knx": {"switch": "1/0/4"}})
    assert int(third.id) > int(second.id), "a deleted binding's id is not handed out again"
    await store.close()


async def test_catalogue_bindings_are_listed_but_read_only(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite:///{tmp_path / 'gw.db'}")
    service = service_over(store)
    await service.load()
    text = b'[[bindings]]\ntarget = { type = "light", id = "1" }\nknx = { switch = "1/0/1" }\n'
    service.set_catalogue(parse_bindings(text))
    assert service.render_all()["catalogue-1"]["source"] == "catalogue"
    with pytest.raises(BindingReadOnly):
        await service.update("catalogue-1", {"name": "x"})
    with pytest.raises(BindingReadOnly):
        await service.delete("catalogue-1")
    await store.close()
