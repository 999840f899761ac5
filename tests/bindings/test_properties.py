"""Properties of the binding parser and the KNX value conversions (hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.cli import main as cli_main
from gateway.domain.bindings import values
from gateway.domain.bindings.records import SLOTS, Binding, BindingInvalid, parse_binding
from gateway.knx.bindings_file import canonical_group_address

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def bindings(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["light", "group", "sensor"]))
    slots = [name for name, spec in SLOTS.items() if kind in spec.targets]
    chosen = draw(st.lists(st.sampled_from(slots), min_size=1, max_size=len(slots), unique=True))
    main, middle = draw(st.integers(0, 31)), draw(st.integers(0, 7))
    addresses = iter(f"{main}/{middle}/{sub}" for sub in range(1, 256))  # 0/0/0: broadcast
    knx: dict[str, Any] = {}
    for slot in chosen:
        if SLOTS[slot].direction == "in" and draw(st.booleans()):
            knx[slot] = [next(addresses), next(addresses)]
        else:
            knx[slot] = next(addresses)
    body: dict[str, Any] = {
        "name": draw(st.text(max_size=20)),
        "target": {"type": kind, "id": str(draw(st.integers(1, 999)))},
        "knx": knx,
    }
    if "scene" in knx:
        body["scene_dpt"] = draw(st.sampled_from(["17.001", "18.001"]))
        body["scenes"] = {str(draw(st.integers(1, 64))): str(draw(st.integers(1, 255)))}
    return body


@given(body=bindings())
def test_a_valid_binding_survives_its_stored_form(body: dict[str, Any]) -> None:
    first = parse_binding(body, canonical_group_address, id="1")
    stored = json.loads(json.dumps(first.to_json()))
    again = parse_binding(stored, canonical_group_address, id="1")
    assert again == first


@settings(max_examples=200)
@given(raw=st.dictionaries(
    st.sampled_from(["name", "target", "knx", "scene_dpt", "scenes", "buttons", "x"]), JSONISH
))  # fmt: skip
def test_any_input_is_a_binding_or_a_named_refusal(raw: dict[str, Any]) -> None:
    try:
        result = parse_binding(raw, canonical_group_address)
    except BindingInvalid as exc:
        assert exc.field and exc.reason
        return
    assert isinstance(result, Binding)


@given(rgb=st.integers(1, 0xFFFFFF))
def test_rgb_to_xy_and_back_keeps_the_brightest_channel_and_the_hue(rgb: int) -> None:
    params = values.rgb_params(rgb)
    back = values.xy_to_rgb(*params["xy"], params["bri"])
    channels = [rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF]
    returned = [back >> 16 & 0xFF, back >> 8 & 0xFF, back & 0xFF]
    assert abs(max(returned) - max(channels)) <= 2
    # The dominant channel stays dominant (up to rounding on near ties).
    strongest = channels.index(max(channels))
    assert returned[strongest] >= max(returned) - 3


@given(kelvin=st.integers(2000, 6535))
def test_kelvin_to_mired_and_back_is_within_rounding(kelvin: int) -> None:
    params = values.color_temperature_params(kelvin)
    assert params is not None
    status = values.status_values({"on": True, "ct": params["ct"]})["color_temperature_status"]
    assert abs(status - kelvin) <= kelvin * kelvin / 1_000_000  # one mired step


@given(percent=st.integers(0, 100))
def test_brightness_percent_round_trips_through_the_lamp(percent: int) -> None:
    params = values.brightness_params(percent)
    state = {"on": params["on"], "bri": params.get("bri", 1)}
    assert values.status_values(state)["brightness_status"] == percent


@pytest.mark.parametrize("good", [True, False])
def test_devices_check_reports_the_bindings_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], good: bool
) -> None:
    address = "1/5/2" if good else "1/5/1"
    path = tmp_path / "devices.toml"
    path.write_text(
        '[[bindings]]\ntarget = { type = "light", id = "1" }\n'
        f'knx = {{ switch = "1/5/1", switch_status = "{address}" }}\n'
    )
    code = cli_main(["thinknx", "devices", "check", str(path)])
    out, err = capsys.readouterr()
    if good:
        assert code == 0 and out.strip().endswith("(0 devices, 0 controllers, 1 bindings)")
    else:
        assert code == 1 and f"{path}:1: binding 1: knx.switch_status:" in err
