"""Property tests for the parsers every request goes through (query, form, numbers, auth)."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gateway.api.thinknx.auth import parse_auth_params
from gateway.api.thinknx.params import (
    MAX_FIELDS,
    Params,
    ParamsParseError,
    parse_number,
    parse_pairs,
)

GRAMMAR = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_every_integer_written_in_decimal_parses_to_itself(number):
    assert parse_number(str(number)) == number
    assert isinstance(parse_number(str(number)), int)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3,
                   min_value=Decimal("-1e9"), max_value=Decimal("1e9")))  # fmt: skip
def test_every_decimal_with_a_point_parses_to_its_float(value):
    text = f"{value:f}"
    if "." not in text:
        text += ".0"
    assert parse_number(text) == float(text)


@given(st.text(max_size=40))
@example("1e5")
@example("inf")
@example("nan")
@example(" 1")
@example("1_000")
@example("\u0661")  # ARABIC-INDIC DIGIT ONE
@example("0x10")
@example("")
@example(".")
@example("+")
def test_parse_number_accepts_exactly_plain_decimals_and_raises_nothing_else(text):
    plain = GRAMMAR.fullmatch(text) is not None and len(text) <= 32
    try:
        value = parse_number(text)
    except ParamsParseError:
        assert not plain
    else:
        assert plain
        assert isinstance(value, float) == ("." in text)


names = st.text(alphabet=string.ascii_letters + string.digits + "_-.~", min_size=1, max_size=12)
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(st.tuples(names, values), max_size=MAX_FIELDS))
def test_urlencoded_pairs_come_back_as_they_were_sent(pairs):
    assert parse_pairs(urlencode(pairs).encode()) == pairs


@given(st.binary(max_size=200))
def test_parse_pairs_raises_only_params_errors_on_any_bytes(raw):
    try:
        pairs = parse_pairs(raw)
    except ParamsParseError:
        return
    assert all(name for name, _value in pairs)


def test_more_than_the_field_limit_is_a_params_error():
    with pytest.raises(ParamsParseError):
        parse_pairs("&".join(["a=1"] * (MAX_FIELDS + 1)).encode())


def test_the_spec_s_examples_parse_with_the_fb_flag_present():
    params = Params.from_pairs(parse_pairs(b"guid=1lzPszHWAeuvzxtXBMkzWQ&&cmd=50&fb"))
    assert params.get("guid") == "1lzPszHWAeuvzxtXBMkzWQ"
    assert params.number("cmd") == 50
    assert params.has("fb")


@given(names, st.lists(values, min_size=2, max_size=4))
def test_a_repeated_name_is_a_params_error_wherever_it_comes_from(name, repeated):
    params = Params.from_pairs([(name, repeated[0])], [(name, v) for v in repeated[1:]])
    with pytest.raises(ParamsParseError):
        params.get(name)


tokens = st.text(alphabet=string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~", min_size=1,
                 max_size=10)  # fmt: skip
quoted_values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@given(st.dictionaries(tokens.map(str.lower), quoted_values, max_size=8))
def test_auth_params_written_as_quoted_strings_come_back(fields):
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    header = ", ".join(f"{name}={quote(value)}" for name, value in fields.items())
    assert parse_auth_params(header) == fields


@given(st.dictionaries(tokens.map(str.lower), tokens, max_size=8))
def test_auth_params_written_as_tokens_come_back(fields):
    header = ",".join(f"{name}={value}" for name, value in fields.items())
    assert parse_auth_params(header) == fields


@given(st.text(max_size=200))
@example('username="a", username="b"')
@example('realm="unterminated')
@example("a=b c=d")
def test_auth_params_never_raise_on_any_text(text):
    result = parse_auth_params(text)
    assert result is None or isinstance(result, dict)


def test_repeated_auth_params_are_refused():
    assert parse_auth_params('username="a", USERNAME="b"') is None
