"""Network templates: form (and pair) once per session, copy into each test's directory.

Forming a network costs the emulator and zigpy about two seconds and pairing four lamps
about as much again; most tests only need *a* network (with lamps), so they start from a
copy of one made earlier. The copy holds the emulator's NVRAM/lamp state, zigpy's database
and the gateway's store — restarting from it is the "restart with restore" path that
tests/zigbee/test_network.py also checks on its own.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest

from tests.zigbee.rig import TEMPLATE_FILES, zigbee_rig

_templates: dict[str, Path] = {}
_lock = threading.Lock()


def _build(directory: Path, paired: int) -> None:
    async def run() -> None:
        async with zigbee_rig(directory, lights=4, paired=paired):
            pass

    # A thread of its own: the template is made outside any test's event loop.
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    if errors:
        raise errors[0]


def template(factory: pytest.TempPathFactory, name: str) -> Path:
    with _lock:
        if name not in _templates:
            directory = factory.mktemp(f"template-{name}")
            _build(directory, paired=4 if name == "paired" else 0)
            _templates[name] = directory
        return _templates[name]


def copy_template(source: Path, target: Path) -> None:
    for item in source.iterdir():
        if item.name.startswith(TEMPLATE_FILES):
            if item.is_dir():
                shutil.copytree(item, target / item.name)
            else:
                shutil.copy2(item, target / item.name)


@pytest.fixture
def formed(tmp_path_factory, tmp_path) -> Path:
    """A test directory holding a formed network (no lamps paired)."""
    copy_template(template(tmp_path_factory, "formed"), tmp_path)
    return tmp_path


@pytest.fixture
def paired(tmp_path_factory, tmp_path) -> Path:
    """A test directory holding a network with the four rig lamps paired (ids 1..4)."""
    copy_template(template(tmp_path_factory, "paired"), tmp_path)
    return tmp_path
