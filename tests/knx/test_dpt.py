"""The DPT table: round trips within each DPT's precision, and every invalid input rejected.

Property tests run over every entry of ``dpt.DPTS``; the examples pin the bytes of a few
well-known values so that a change in xknx's encoding cannot slip through unnoticed.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xknx.dpt.payload import DPTArray, DPTBinary

from gateway.knx import dpt
from gateway.knx.dpt import DPTS, DptSpec, DptValueError, Kind, UnsupportedDpt

SPECS = list(DPTS.values())
IDS = [s.dpt for s in SPECS]


def valid_values(spec: DptSpec) -> st.SearchStrategy[int | float | bool]:
    if spec.kind is Kind.BOOL:
        return st.one_of(st.booleans(), st.integers(0, 1), st.sampled_from([0.0, 1.0]))
    if spec.kind is Kind.INT:
        lo, hi = int(spec.minimum), int(spec.maximum)
        return st.one_of(st.integers(lo, hi), st.integers(lo, hi).map(float))
    return st.one_of(
        st.floats(spec.minimum, spec.maximum, allow_nan=False, allow_infinity=False),
        st.integers(math.ceil(spec.minimum), math.floor(min(spec.maximum, 2**62))),
    )


def out_of_range(spec: DptSpec) -> st.SearchStrategy[int | float]:
    above = st.floats(min_value=spec.maximum, exclude_min=True, allow_infinity=False)
    below = st.floats(max_value=spec.minimum, exclude_max=True, allow_infinity=False)
    ints = st.one_of(
        st.integers(min_value=math.floor(spec.maximum) + 1),
        st.integers(max_value=math.ceil(spec.minimum) - 1),
    )
    return st.one_of(above, below, ints)


def not_numbers() -> st.SearchStrategy[object]:
    return st.one_of(
        st.none(),
        st.text(max_size=5),
        st.binary(max_size=3),
        st.lists(st.integers(0, 1), max_size=2),
        st.just(float("nan")),
        st.just(float("inf")),
        st.just(float("-inf")),
        st.just(complex(1, 0)),
    )


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@given(data=st.data())
def test_round_trip_stays_within_the_dpt_precision(spec: DptSpec, data: st.DataObject) -> None:
    value = data.draw(valid_values(spec))
    payload = dpt.encode(spec.dpt, value)
    decoded = dpt.decode(spec.dpt, payload)
    assert isinstance(decoded, int | float) and not isinstance(decoded, bool)
    assert abs(decoded - float(value)) <= spec.precision(float(value))


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@given(data=st.data())
def test_values_outside_the_range_are_rejected(spec: DptSpec, data: st.DataObject) -> None:
    value = data.draw(out_of_range(spec))
    with pytest.raises(DptValueError):
        dpt.encode(spec.dpt, value)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@given(value=not_numbers())
def test_non_numbers_and_non_finite_values_are_rejected(spec: DptSpec, value: object) -> None:
    with pytest.raises(DptValueError):
        dpt.encode(spec.dpt, value)


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.kind is not Kind.BOOL], ids=lambda spec: spec.dpt
)
@given(value=st.booleans())
def test_booleans_are_rejected_where_the_dpt_is_not_a_bit(spec: DptSpec, value: bool) -> None:
    with pytest.raises(DptValueError, match="boolean"):
        dpt.encode(spec.dpt, value)


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.kind is not Kind.FLOAT], ids=lambda spec: spec.dpt
)
@given(data=st.data())
def test_fractions_are_rejected_where_the_dpt_is_integral(
    spec: DptSpec, data: st.DataObject
) -> None:
    value = data.draw(
        st.floats(spec.minimum, spec.maximum).filter(lambda v: not float(v).is_integer())
    )
    with pytest.raises(DptValueError, match="whole number"):
        dpt.encode(spec.dpt, value)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@given(payload=st.one_of(
    st.integers(0, 63).map(DPTBinary),
    st.lists(st.integers(0, 255), min_size=0, max_size=6).map(DPTArray),
))  # fmt: skip
def test_decode_either_returns_a_finite_number_or_rejects(spec: DptSpec, payload: object) -> None:
    try:
        value = dpt.decode(spec.dpt, payload)
    except DptValueError:
        return
    assert isinstance(value, int | float) and math.isfinite(value)
    assert spec.minimum <= value <= spec.maximum


@pytest.mark.parametrize(
    ("name", "value", "payload"),
    [
        ("1.001", True, DPTBinary(1)),
        ("1", 0, DPTBinary(0)),
        ("2.001", 3, DPTBinary(3)),
        ("3.007", 0b1011, DPTBinary(0b1011)),
        ("5", 255, DPTArray((0xFF,))),
        ("5.001", 50, DPTArray((0x80,))),
        ("5.001", 100, DPTArray((0xFF,))),
        ("5.003", 360, DPTArray((0xFF,))),
        ("6", -128, DPTArray((0x80,))),
        ("6.010", -1, DPTArray((0xFF,))),
        ("9.001", 20.5, DPTArray((0x0C, 0x01))),
        ("9", -671088.64, DPTArray((0xF8, 0x00))),
        ("9", 670433.28, DPTArray((0x7F, 0xFE))),
        ("14", 1.0, DPTArray((0x3F, 0x80, 0x00, 0x00))),
        ("14.056", -2.5, DPTArray((0xC0, 0x20, 0x00, 0x00))),
    ],
)
def test_known_values_encode_to_the_known_bytes(name: str, value: float, payload: object) -> None:
    assert dpt.encode(name, value) == payload


@pytest.mark.parametrize("name", ["9.001", "DPT9.001", "DPT-9", "dpst-9-1", " 9 "])
def test_dpt_names_are_accepted_in_the_usual_spellings(name: str) -> None:
    assert dpt.spec(name).dpt == "9"


def test_a_sub_number_with_its_own_range_selects_its_own_entry() -> None:
    assert dpt.spec("5.001").maximum == 100
    assert dpt.spec("5.010").maximum == 255


@pytest.mark.parametrize("name", ["7.001", "20.102", "232", "x", "", "9.0.1"])
def test_unsupported_dpts_are_rejected(name: str) -> None:
    with pytest.raises(UnsupportedDpt):
        dpt.encode(name, 1)


def test_dpt2_and_dpt3_reject_values_beyond_their_bits() -> None:
    with pytest.raises(DptValueError):
        dpt.encode("2", 4)
    with pytest.raises(DptValueError):
        dpt.encode("3", 16)


def test_dpt9_invalid_data_marker_is_not_decoded_as_a_number() -> None:
    with pytest.raises(DptValueError):
        dpt.decode("9.001", DPTArray((0x7F, 0xFF)))


def test_dpt14_nan_on_the_bus_is_not_decoded_as_a_number() -> None:
    with pytest.raises(DptValueError):
        dpt.decode("14", DPTArray((0x7F, 0xC0, 0x00, 0x00)))


@pytest.mark.parametrize(
    ("name", "value", "payload"),
    [
        ("3.007", 0b1001, DPTBinary(0b1001)),  # increase, step code 1 ("100 %", start dimming)
        ("3.007", 0, DPTBinary(0)),  # stop
        ("7.600", 2700, DPTArray((0x0A, 0x8C))),
        ("7.600", 65535, DPTArray((0xFF, 0xFF))),
        ("17.001", 1, DPTArray((0x00,))),
        ("17.001", 64, DPTArray((0x3F,))),
        ("18.001", 4, DPTArray((0x04,))),  # recall scene 5
        ("18.001", 64 | 4, DPTArray((0x84,))),  # learn scene 5
        ("232.600", 0xFF8000, DPTArray((0xFF, 0x80, 0x00))),
    ],
)
def test_binding_dpts_encode_to_the_known_bytes(name: str, value: int, payload: object) -> None:
    assert dpt.encode(name, value) == payload
    assert dpt.decode(name, payload) == value


def test_dpt18_reserved_bit_on_the_bus_is_ignored_as_knx_requires() -> None:
    assert dpt.decode("18.001", DPTArray((0xC4,))) == 64 | 4


@pytest.mark.parametrize(("name", "value"), [("17.001", 0), ("17.001", 65), ("18.001", 128)])
def test_binding_dpts_reject_numbers_outside_their_fields(name: str, value: int) -> None:
    with pytest.raises(DptValueError):
        dpt.encode(name, value)
