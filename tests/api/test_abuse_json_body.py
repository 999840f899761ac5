"""Properties of the deCONZ body reader: plain JSON round-trips, bad text never gets in."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.api.deconz.json_body import MAX_DEPTH, InvalidBody, check_values, parse_json

# Any code point, surrogates and NUL included: the reader must sort them out.
texts = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


def _has_bad_text(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(_has_bad_text(k) or _has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_bad_text(v) for v in value)
    return False


@given(documents)
def test_a_document_is_refused_exactly_when_it_holds_nul_or_a_lone_surrogate(value):
    raw = json.dumps(value).encode("ascii")  # \uXXXX escapes, as a client would send
    if _has_bad_text(value):
        with pytest.raises(InvalidBody):
            parse_json(raw)
    else:
        assert parse_json(raw) == value


@given(st.binary(max_size=64))
def test_any_bytes_give_a_value_or_invalid_body(raw):
    try:
        value = parse_json(raw)
    except InvalidBody:
        return
    check_values(value)  # what got through holds no bad text


def test_nesting_beyond_the_limit_is_refused_without_recursion():
    deep: list[object] = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(InvalidBody):
        check_values(deep)
    with pytest.raises(InvalidBody):
        parse_json(b"[" * 200_000 + b"]" * 200_000)
