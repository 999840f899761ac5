"""A paired-sensors template: one network with every emulated sensor joined, bound and
reporting, made once per session and copied into each test's directory (pairing costs
the emulator and zigpy several seconds; most tests need *a* paired network, not the act
of pairing, which test_join_* and the pydeconz ``added`` test still do from scratch)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.helpers.templates import run_in_own_loop
from tests.sensors.rig import sensors_rig
from tests.zigbee.conftest import copy_template

_template: list[Path] = []
_lock = threading.Lock()


def _build(directory: Path) -> None:
    async def run() -> None:
        async with sensors_rig(directory, search=True):
            pass

    run_in_own_loop(run, timeout=180)


@pytest.fixture
def paired(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A test directory holding a network with every sensor paired and reporting."""
    with _lock:
        if not _template:
            directory = tmp_path_factory.mktemp("template-sensors")
            _build(directory)
            _template.append(directory)
    copy_template(_template[0], tmp_path)
    return tmp_path
