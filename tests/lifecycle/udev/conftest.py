"""The ``udev`` fixture the udev rules tests share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.lifecycle.udev.fake_ttys import FakeTty
from tests.lifecycle.udev.sandbox import UdevResult, run_udev


@pytest.fixture
def udev(tmp_path: Path) -> Callable[..., UdevResult]:
    """``udev(device, ...)``: the result for the last device after running udev on all."""

    def _run(*devices: FakeTty) -> UdevResult:
        return run_udev(tmp_path, devices).results[-1]

    return _run
