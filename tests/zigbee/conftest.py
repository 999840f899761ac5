"""Network templates: form (and pair) once per session, copy into each test's directory.

Forming a network costs the emulator and zigpy about two seconds and pairing four lamps
about as much again; most tests only need *a* network (with lamps), so they start from a
copy of one made earlier. The copy holds the emulator's NVRAM/lamp state, zigpy's database
and the gateway's store — restarting from it is the "restart with restore" path that
tests/zigbee/test_network.py also checks on its own.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.helpers import templates
from tests.zigbee.rig import TEMPLATE_FILES, zigbee_rig

_templates: dict[str, Path] = {}
_lock = threading.Lock()


def _build(directory: Path, paired: int) -> None:
    async def run() -> None:
        async with zigbee_rig(directory, lights=4, paired=paired):
            pass

    templates.run_in_own_loop(run, timeout=120)


def template(factory: pytest.TempPathFactory, name: str) -> Path:
    with _lock:
        if name not in _templates:
            directory = factory.mktemp(f"template-{name}")
            _build(directory, paired=4 if name == "paired" else 0)
            _templates[name] = directory
        return _templates[name]


def copy_template(source: Path, target: Path) -> None:
    """Copy a ZNP rig's network (:data:`TEMPLATE_FILES`) into a test's directory."""
    templates.copy_template(source, target, TEMPLATE_FILES)


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
