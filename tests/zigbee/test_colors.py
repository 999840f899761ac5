"""Conversions between API and ZCL colour units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.lights import colors


def test_bri_255_is_level_254():
    assert colors.bri_to_level(255) == 254


def test_xy_is_scaled_by_65536_and_capped_at_0xfeff():
    assert colors.xy_to_zcl(0.5, 1.0) == (32768, 0xFEFF)


@given(st.floats(0, 0.996, allow_nan=False), st.floats(0, 0.996, allow_nan=False))
def test_xy_survives_a_round_trip_to_4_digits(x, y):
    back = colors.zcl_to_xy(*colors.xy_to_zcl(x, y))
    assert back == pytest.approx((x, y), abs=6e-5)


@given(st.integers(0, 65535))
def test_hue_through_8_bits_comes_back_within_one_step(hue):
    assert abs(colors.zcl_to_hue(colors.hue_to_zcl(hue)) - hue) <= 65535 / 254 / 2 + 1


def test_ct_is_limited_to_the_lights_range():
    assert colors.clamp_ct(500, 153, 454) == 454
    assert colors.clamp_ct(100, 153, 454) == 153
    assert colors.clamp_ct(300, None, None) == 300


def test_default_transition_is_hues_400_ms():
    assert colors.transition_to_zcl(None) == 4
    assert colors.transition_to_zcl(65535) == colors.ZCL_TRANSITION_MAX
