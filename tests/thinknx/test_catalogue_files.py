"""The catalogue file: bad files are refused whole, with file, line, device, field and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.knx.catalogue import CatalogueError
from gateway.knx.catalogue_file import load_file, parse
from hil.emulators.knx import default_devices
from hil.virtual_knx import VIRTUAL_CATALOGUE

DOCS_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "knx-devices.example.toml"

GOOD_LIGHT = """
[[devices]]
guid = "light"
type = "light"
power = { command = "1/0/1", status = "1/0/2", comm_obj = 1 }
"""


def device(kind: str, *controllers: str, guid: str = "x") -> str:
    return "\n".join(["[[devices]]", f'guid = "{guid}"', f'type = "{kind}"', *controllers]) + "\n"


def problems_of(text: str) -> str:
    with pytest.raises(CatalogueError) as caught:
        parse(text.encode(), source="devices.toml")
    return str(caught.value)


def test_a_good_file_gives_its_devices_with_canonical_addresses_and_dpts():
    text = device("light", 'power = { command = "2049", status = "1/0/02", comm_obj = 1, '
                           'dpt = "DPT1.1" }')  # fmt: skip
    [parsed] = parse(text.encode())
    power = parsed.controllers["power"]
    assert (power.command, power.status, power.dpt) == ("1/0/1", "1/0/2", "1.001")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[devices]\n", "devices.toml:1: not valid TOML"),
        ("lights = 1\n", "devices.toml: lights: unknown top-level key"),
        ("devices = 3\n", "devices.toml: devices: must be an array of tables"),
        ('[[devices]]\ntype = "light"\npower = { command = "1/0/1", comm_obj = 1 }\n',
         "devices.toml:1: device 1: guid: missing"),
        ('[[devices]]\nguid = "a b"\ntype = "light"\npower = { command = "1/0/1", comm_obj = 1 }\n',
         "devices.toml:1: device 1 (guid \"a b\"): guid: must be 1..64 letters"),
        ('[[devices]]\nguid = "x"\ntype = "lamp"\n',
         "devices.toml:1: device 1 (guid \"x\"): type: must be one of light, blind"),
        ('[[devices]]\nguid = "x"\ntype = "light"\n',
         'devices.toml:1: device 1 (guid "x"): has no controllers'),
        (device("light", 'setpoint = { command = "1/0/1", comm_obj = 1 }'),
         "setpoint: a light has no setpoint controller (it belongs to a thermostat)"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npwer = { command = "1/0/1", comm_obj = 1 }\n',
         "pwer: unknown key (controllers: power, powerlevel"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npower = { comand = "1/0/1", comm_obj = 1 }\n',
         "power.comand: unknown key (allowed: comm_obj, command, dpt, status, status_comm_obj)"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npower = { command = "1/0/x", comm_obj = 1 }\n',
         "power.command: not a group address: '1/0/x'"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npower = { command = "0/0/0", comm_obj = 1 }\n',
         "power.command: group address 0/0/0 is the broadcast address"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npower = { status = "1/0/2", comm_obj = 1 }\n',
         "power.command: missing group address"),
        (device("light", 'power = { command = "1/0/1", comm_obj = 1, dpt = "9.001" }'),
         "power.dpt: DPT 9.001 does not suit power (use 1)"),
        (device("light", 'power = { command = "1/0/1", comm_obj = 1, dpt = "nine" }'),
         "power.dpt: not a DPT: 'nine'"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npower = { command = "1/0/1" }\n',
         "power.comm_obj: missing"),
        ('[[devices]]\nguid = "x"\ntype = "light"\npower = { command = "1/0/1", comm_obj = -1 }\n',
         "power.comm_obj: must be a whole number 0..65535, got -1"),
        ('[[devices]]\nguid = "x"\ntype = "thermostat"\n'
         'setpoint = { command = "3/0/2", comm_obj = 1, min = 30, max = 10 }\n',
         "setpoint.min: min 30 is above max 10"),
        ('[[devices]]\nguid = "x"\ntype = "value"\n'
         'value = { command = "6/0/1", comm_obj = 1, dpt = "5.010", max = 300 }\n',
         "value.max: 300 is outside DPT 5.010's range 0..255"),
        (device("scene", 'scenelaunch = { command = "4/0/1", comm_obj = 1 }'),
         "scenelaunch.scene: missing"),
        ('[[devices]]\nguid = "x"\ntype = "scene"\n'
         'scenelaunch = { command = "4/0/1", comm_obj = 1, scene = 64 }\n',
         "scenelaunch.scene: must be a whole number 0..63, got 64"),
        (device("blind", 'updown = { command = "2/0/1", status = "2/0/5", comm_obj = 1 }'),
         "updown.status: updown has no status in the Thinknx API"),
        (device("thermostat", 'actualtemp = { command = "3/0/1", status = "3/0/1", comm_obj = 1 }'),
         "actualtemp.command: actualtemp is read-only"),
        ('[[devices]]\nguid = "x"\ntype = "thermostat"\nactualtemp = { comm_obj = 1 }\n',
         "actualtemp.status: missing group address"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_where_and_why(text, expected):
    assert expected in problems_of(text)


def test_a_duplicate_guid_names_the_line_of_the_second_device():
    text = GOOD_LIGHT + "\n" + GOOD_LIGHT
    expected = 'devices.toml:8: device 2 (guid "light"): guid: duplicate: also device 1'
    assert expected in problems_of(text)


def test_every_problem_in_the_file_is_listed_one_per_line():
    text = (
        '[[devices]]\nguid = "a"\ntype = "light"\npower = { command = "1/0/x", comm_obj = 1 }\n'
        '[[devices]]\nguid = "b"\ntype = "light"\npower = { command = "1/0/1" }\n'
    )
    lines = problems_of(text).splitlines()
    assert lines == [
        "devices.toml:1: device 1 (guid \"a\"): power.command: not a group address: '1/0/x' "
        "(Invalid format)",
        'devices.toml:5: device 2 (guid "b"): power.comm_obj: missing (the communication object'
        " number clients see)",
    ]


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(CatalogueError, match=r"devices\.toml: not UTF-8"):
        parse(b"\xff\xfe", source="devices.toml")


def test_a_missing_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(CatalogueError, match=f"{path}: cannot read"):
        load_file(path)


def test_the_docs_example_catalogue_is_valid():
    devices, _sha = load_file(DOCS_EXAMPLE)
    assert {d.type for d in devices} == {
        "light", "blind", "value", "thermostat", "hvac", "scene", "button",
    }  # fmt: skip


def test_the_virtual_catalogue_points_at_the_emulator_s_default_devices():
    """Every address of the virtual rig's catalogue is an object of an emulated device."""
    objects = {ga for device in default_devices() for ga in device.group_addresses().values()}
    devices, _sha = load_file(VIRTUAL_CATALOGUE)
    used = {
        ga
        for device in devices
        for controller in device.controllers.values()
        for ga in (controller.command, controller.status)
        if ga is not None
    }
    assert used <= objects
    assert len(devices) == len(default_devices())
