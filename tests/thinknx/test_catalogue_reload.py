"""The catalogue in service: reloaded when its file changes, kept in the store."""

from __future__ import annotations

import asyncio
import logging

from gateway.app.knx_side import load_catalogue
from gateway.knx.catalogue_service import CatalogueService, from_stored

NEW_DEVICE = """
[[devices]]
guid = "hall_light"
type = "light"
power = { command = "1/0/3", status = "1/0/4", comm_obj = 9 }
"""


async def wait_for(predicate, within: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_a_device_added_to_the_file_is_served_without_a_restart(rig):
    assert (await rig.get("power", guid="hall_light", cmd=1)).status_code == 404
    rig.catalogue_path.write_text(rig.catalogue_path.read_text() + NEW_DEVICE)
    await wait_for(lambda: "hall_light" in rig.stack.devices.catalogue.devices)
    r = await rig.get("power", guid="hall_light", cmd=1)
    assert r.json() == {"namespace": "power", "guid": "hall_light", "comm_obj": 9}


async def test_a_bad_edit_is_refused_logged_and_the_previous_catalogue_kept(rig, caplog):
    caplog.set_level(logging.ERROR, logger="gateway.knx.catalogue_service")
    rig.catalogue_path.write_text(NEW_DEVICE.replace('"1/0/3"', '"1/0/x"'))
    await wait_for(lambda: "thinknx_catalogue_rejected" in caplog.text)
    assert f'{rig.catalogue_path}:2: device 1 (guid "hall_light"): power.command' in caplog.text
    r = await rig.get("power", guid="living_room_light", cmd=1)
    assert r.status_code == 200


async def test_a_reload_moves_the_config_time(rig):
    before = rig.stack.catalogues.current.loaded_at
    await asyncio.sleep(1.1)  # config_time has one-second resolution
    rig.catalogue_path.write_text(rig.catalogue_path.read_text() + NEW_DEVICE)
    await wait_for(lambda: rig.stack.catalogues.current.loaded_at != before)
    assert rig.stack.catalogues.current.loaded_at > before


async def test_the_catalogue_in_service_is_kept_in_the_store(rig):
    stored = await rig.store.knx.load_catalogue()
    assert stored is not None
    assert from_stored(stored) == rig.stack.catalogues.current


async def test_a_restart_with_an_unchanged_file_keeps_the_config_time(rig):
    first = rig.stack.catalogues.current.loaded_at
    await asyncio.sleep(1.1)
    again = await load_catalogue(rig.store, rig.catalogue_path)
    assert again.current.loaded_at == first


async def test_without_a_file_the_catalogue_is_empty(store):
    catalogues = CatalogueService(store.knx, None)
    catalogue = await catalogues.load()
    assert dict(catalogue.devices) == {}
    assert not await catalogues.reload_if_changed()
