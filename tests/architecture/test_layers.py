"""The layers of docs/engineering.md hold: who may import whom, no circles, the rig kept out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.layers import (
    check_module,
    import_cycles,
    imports_of,
    module_imports,
)

ROOT = Path(__file__).resolve().parents[2] / "gateway"


@pytest.fixture(scope="module")
def imports():
    return module_imports(ROOT)


def test_every_module_keeps_to_its_layer(imports):
    violations = [str(v) for module, found in imports.items() for v in check_module(module, found)]
    assert violations == []


def test_no_module_import_circles_in_gateway(imports):
    known = set(imports)
    # A submodule always imports its parent package first; that edge is no circle.
    graph = {
        module: {
            name
            for name, _, top in found
            if top and name in known and not module.startswith(name + ".") and name != module
        }
        for module, found in imports.items()
    }
    assert import_cycles(graph) == []


def test_only_the_rig_door_imports_hil(imports):
    importers = sorted(
        m for m, found in imports.items() if any(n.startswith("hil") for n, *_ in found)
    )
    assert importers == ["gateway.app.virtual"]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("gateway.zigbee.bridge", "from gateway.api.deconz.context import DeconzServices\n"),
        ("gateway.knx.link", "import hil.virtual_knx\n"),
        ("gateway.api.deconz.lights", "from gateway.store import Store\n"),
        ("gateway.api.deconz.lights", "import sqlalchemy\n"),
        ("gateway.api.thinknx.app", "from gateway.knx.devices import DeviceService\n"),
        ("gateway.store.db", "from gateway.domain.config import GatewayConfigService\n"),
        ("gateway.domain.lights.service", "import zigpy.types\n"),
        ("gateway.domain.config", "from ..zigbee import supervisor\n"),
        ("gateway.settings", "from gateway.domain import events\n"),
        ("gateway.zigbee.zcl", "def later():\n    from gateway.knx import link\n"),
        (
            "gateway.api.deconz.app",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import xknx\n",
        ),
    ],
)
def test_a_wrong_import_is_reported(module, source):
    is_package = False
    found = list(imports_of(source, module, is_package=is_package))
    assert check_module(module, found), f"{source!r} in {module} should break a layer rule"


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("gateway.zigbee.bridge", "from gateway.domain.lights.model import LightAddress\n"),
        ("gateway.api.deconz.lights", "from gateway.domain.lights import LightsService\n"),
        ("gateway.app.gateway", "from gateway.zigbee.supervisor import RadioSupervisor\n"),
        ("gateway.store.db", "from gateway.clock import utcnow\n"),
        ("gateway.app.virtual", "from hil.virtual_radio import VirtualRadio\n"),
    ],
)
def test_an_allowed_import_is_not_reported(module, source):
    assert check_module(module, list(imports_of(source, module, is_package=False))) == []


def test_a_circle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
