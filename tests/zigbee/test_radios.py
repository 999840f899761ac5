"""Radio kinds: the zigpy driver and configuration each kind gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.domain.radio import RadioUnsupported
from gateway.zigbee.radios import RadioConfig, controller_class, zigpy_config


def config(kind: str, **kwargs) -> RadioConfig:
    return RadioConfig(kind, "/dev/zigbee", Path("/tmp/z.db"), Path("/tmp/b"), **kwargs)


@pytest.mark.parametrize(
    "kind,module",
    [("znp", "zigpy_znp"), ("virtual", "zigpy_znp"), ("deconz", "zigpy_deconz")],
)
def test_each_kind_is_driven_by_its_zigpy_library(kind, module):
    # The class itself or our subclass of it (gateway.zigbee.deconz_app).
    driver = next(
        c for c in controller_class(kind).__mro__ if not c.__module__.startswith("gateway")
    )
    assert driver.__module__.startswith(module)
    assert driver.__name__ == "ControllerApplication"


def test_a_kind_without_a_driver_is_unsupported():
    with pytest.raises(RadioUnsupported):
        controller_class("none")


@pytest.mark.parametrize("kind", ["znp", "deconz"])
def test_the_configuration_passes_the_drivers_schema(kind):
    cfg = config(kind, baudrate=38400, flow_control="hardware", channel=20)
    validated = controller_class(kind).SCHEMA(zigpy_config(cfg))
    assert validated["device"] == {
        "path": "/dev/zigbee",
        "baudrate": 38400,
        "flow_control": "hardware",
    }
    assert validated["network"]["channel"] == 20
    assert validated["database_path"] == "/tmp/z.db"
    assert validated["ota"]["enabled"] is False


def test_znp_timeouts_reach_zigpy_znp():
    cfg = config("znp", znp_options={"sync_request_timeout": 3})
    validated = controller_class("znp").SCHEMA(zigpy_config(cfg))
    assert validated["znp_config"]["sync_request_timeout"] == 3
