"""Property tests for the scene extension field set codec."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hil.emulators.znp.devices import scene_fields as sf

LIMITS = {"B": 0xFF, "H": 0xFFFF}


@st.composite
def field_sets(draw: st.DrawFn) -> list[sf.FieldSet]:
    """Sets for known clusters, each a prefix of that cluster's attributes."""
    clusters = draw(st.lists(st.sampled_from(sorted(sf.SCENE_ATTRIBUTES)), unique=True))
    result = []
    for cluster in clusters:
        attributes = sf.SCENE_ATTRIBUTES[cluster]
        count = draw(st.integers(0, len(attributes)))
        values = tuple(
            (name, draw(st.integers(0, LIMITS[fmt]))) for name, fmt in attributes[:count]
        )
        result.append(sf.FieldSet(cluster, values))
    return result


@given(field_sets())
def test_encode_then_parse_gives_the_same_sets(sets: list[sf.FieldSet]) -> None:
    assert sf.parse(sf.encode(sets)) == sets


@given(st.binary(max_size=64))
def test_any_bytes_parse_or_fail_with_field_set_error(data: bytes) -> None:
    try:
        sets = sf.parse(data)
    except sf.FieldSetError:
        return
    for field_set in sets:
        names = [name for name, _ in sf.SCENE_ATTRIBUTES.get(field_set.cluster, ())]
        assert [name for name, _ in field_set.values] == names[: len(field_set.values)]


@given(field_sets(), st.integers(0, 0xFFFF), st.binary(min_size=1, max_size=20), st.data())
def test_a_set_longer_than_the_frame_is_rejected(
    sets: list[sf.FieldSet], cluster: int, body: bytes, data: st.DataObject
) -> None:
    kept = data.draw(st.integers(0, len(body) - 1))
    frame = sf.encode(sets) + struct.pack("<HB", cluster, len(body)) + body[:kept]
    with pytest.raises(sf.FieldSetError):
        sf.parse(frame)


@given(st.integers(0, 0xFFFF), st.binary(max_size=20))
def test_unknown_clusters_are_skipped_not_fatal(cluster: int, body: bytes) -> None:
    if cluster in sf.SCENE_ATTRIBUTES:
        return
    [parsed] = sf.parse(struct.pack("<HB", cluster, len(body)) + body)
    assert parsed.cluster == cluster and parsed.values == ()


@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))
def test_field_set_fills_gaps_before_the_last_given_attribute(x: int, ct: int) -> None:
    built = sf.field_set(sf.COLOR, {"current_x": x, "color_temperature": ct})
    values = built.as_dict()
    assert values["current_x"] == x and values["color_temperature"] == ct
    assert values["current_y"] == 0 and len(built.values) == len(sf.SCENE_ATTRIBUTES[sf.COLOR])


def test_a_value_cut_in_the_middle_is_dropped() -> None:
    [parsed] = sf.parse(struct.pack("<HB", sf.COLOR, 3) + b"\x01\x02\x03")
    assert parsed.as_dict() == {"current_x": 0x0201}


def test_header_without_its_length_byte_is_malformed() -> None:
    with pytest.raises(sf.FieldSetError):
        sf.parse(b"\x06\x00")
