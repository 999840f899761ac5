"""``[[bindings]]`` in the device catalogue: checked with the line, reloaded without restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.app.bindings_side import BindingsSide
from gateway.domain.events import EventBus
from gateway.knx.bindings_file import load_bindings, parse_bindings
from gateway.knx.catalogue import CatalogueError
from gateway.knx.catalogue_file import parse
from gateway.knx.catalogue_service import CatalogueService
from gateway.knx.link import KnxLink
from gateway.settings import KnxSection
from gateway.store import Store

GOOD = b"""
[[devices]]
guid = "hall"
type = "light"
power = { command = "1/0/1", status = "1/0/2", comm_obj = 1 }

[[bindings]]
name = "Hall ceiling"
target = { type = "light", id = "1" }
knx = { switch = ["1/5/1", "1/7/0"], switch_status = "1/5/2" }

[[bindings]]
target = { type = "sensor", id = "3" }
knx = { presence = "4/0/1", temperature = "4/0/2" }
buttons = [{ event = 1002, address = "4/1/1", value = 1 }]
"""

EDITED = b"""
[[bindings]]
name = "Hall ceiling"
target = { type = "light", id = "1" }
knx = { switch = ["1/5/1", "1/7/0"], switch_status = "1/5/3" }
"""


def test_catalogue_bindings_are_read_with_their_functions() -> None:
    hall, sensor = parse_bindings(GOOD, "devices.toml")
    assert hall.id == "catalogue-1" and hall.source == "catalogue"
    assert hall.addresses["switch"] == ("1/5/1", "1/7/0")
    assert sensor.buttons[0].event == 1002
    assert [d.guid for d in parse(GOOD)] == ["hall"], "the devices of the same file still load"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (b'\n\n[[bindings]]\ntarget = { type = "light", id = "1" }\nknx = { switch = "1/5/256" }\n',
         "devices.toml:3: binding 1: knx.switch:"),
        (b'[[bindings]]\ntarget = { type = "lamp", id = "1" }\nknx = { switch = "1/5/1" }\n',
         "devices.toml:1: binding 1: target.type:"),
        (b'[[bindings]]\ntarget = { type = "light", id = "1" }\nknx = { presence = "1/5/1" }\n',
         "devices.toml:1: binding 1: knx.presence: a light binding has no presence"),
        (b'[[bindings]]\ntarget = { type = "light", id = "1" }\n'
         b'knx = { switch = "1/5/1", switch_status = "1/5/1" }\n',
         "devices.toml:1: binding 1: knx.switch_status: 1/5/1 is also a command address"),
    ],
)  # fmt: skip
def test_a_bad_binding_is_refused_naming_file_line_and_field(text: bytes, where: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_bindings(text, "devices.toml")
    assert str(caught.value).startswith(where)


async def test_an_edited_file_changes_the_bindings_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_bytes(GOOD)
    store = await Store.open(f"sqlite:///{tmp_path / 'gw.db'}")
    link = KnxLink(KnxSection(mode="none"))
    catalogues = CatalogueService(store.knx, path, poll_interval=0.05)
    await catalogues.load()
    side = BindingsSide(store, EventBus(), link, None)
    await side.start(catalogues)
    watcher = asyncio.create_task(catalogues.watch())
    try:
        assert [b.id for b in side.service.all()] == ["catalogue-1", "catalogue-2"]
        path.write_bytes(EDITED)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(side.service.all()) == 1:
                break
        (hall,) = side.service.all()
        assert hall.addresses["switch_status"] == ("1/5/3",)
        path.write_bytes(b'[[bindings]]\ntarget = { type = "light", id = "x" }\n')
        await asyncio.sleep(0.5)
        assert [b.id for b in side.service.all()] == ["catalogue-1"], "a bad file keeps them"
    finally:
        watcher.cancel()
        await side.stop()
        await store.close()


DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_examples_are_valid_bindings() -> None:
    example = load_bindings(DOCS / "knx-devices.example.toml")
    assert [b.name for b in example] == ["Hall ceiling (Zigbee)"]
    page = (DOCS / "bindings.md").read_text()
    block = page.split("```toml\n", 1)[1].split("```", 1)[0]
    kinds = [b.target.kind for b in parse_bindings(block.encode(), "docs/bindings.md")]
    assert kinds == ["light", "group", "sensor", "sensor"]
