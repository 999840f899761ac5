"""ZCL mapping: light types from capabilities, attribute reports as API state fields."""

from __future__ import annotations

import pytest
from zigpy.profiles import zha, zll

from gateway.domain.lights.model import Capabilities, LightType
from gateway.zigbee import zcl
from gateway.zigbee.delivery import radio_refusal
from tests.zigbee.fakes import CT_ONLY, DIMMABLE, EXTENDED, PLUG


class FakeCluster:
    def __init__(self, cluster_id: int, **cached: int) -> None:
        self.cluster_id = cluster_id
        self._cached = cached

    def get(self, name: str) -> int | None:
        return self._cached.get(name)


@pytest.mark.parametrize(
    "caps,key,expected",
    [
        (EXTENDED, (zha.PROFILE_ID, zha.DeviceType.EXTENDED_COLOR_LIGHT), LightType.EXTENDED_COLOR),
        (
            CT_ONLY,
            (zha.PROFILE_ID, zha.DeviceType.COLOR_TEMPERATURE_LIGHT),
            "Color temperature light",
        ),
        (Capabilities(level=True, xy=True, hue_sat=True), (zll.PROFILE_ID, 0x0200), "Color light"),
        (DIMMABLE, (zha.PROFILE_ID, zha.DeviceType.DIMMABLE_LIGHT), "Dimmable light"),
        (PLUG, (zha.PROFILE_ID, zha.DeviceType.ON_OFF_PLUG_IN_UNIT), "On/Off plug-in unit"),
        (PLUG, (zha.PROFILE_ID, zha.DeviceType.ON_OFF_LIGHT), "On/Off light"),
        (DIMMABLE, (zll.PROFILE_ID, zll.DeviceType.DIMMABLE_PLUGIN_UNIT), "Dimmable plug-in unit"),
    ],
    ids=["extended", "ct", "color", "dimmable", "plug", "onoff-light", "dimmable-plug"],
)
def test_the_type_follows_deconz_names(caps, key, expected):
    assert zcl.light_type(caps, key) == expected


def test_on_off_report_is_on():
    assert zcl.state_from_attribute(FakeCluster(0x0006), "on_off", 0, PLUG) == {"on": False}


def test_level_report_is_bri():
    assert zcl.state_from_attribute(FakeCluster(0x0008), "current_level", 200, DIMMABLE) == {
        "bri": 200
    }


def test_enhanced_hue_is_the_api_hue_for_enhanced_lights():
    state = zcl.state_from_attribute(FakeCluster(0x0300), "enhanced_current_hue", 43680, EXTENDED)
    assert state == {"hue": 43680}


def test_the_8_bit_hue_of_an_enhanced_light_is_ignored():
    assert zcl.state_from_attribute(FakeCluster(0x0300), "current_hue", 10, EXTENDED) == {}


def test_the_8_bit_hue_is_scaled_for_lights_without_enhanced_hue():
    caps = Capabilities(level=True, hue_sat=True)
    assert zcl.state_from_attribute(FakeCluster(0x0300), "current_hue", 254, caps) == {"hue": 65535}


def test_xy_needs_both_coordinates_and_is_rounded_to_4_digits():
    cluster = FakeCluster(0x0300, current_y=29491)
    assert zcl.state_from_attribute(cluster, "current_x", 26214, EXTENDED) == {"xy": [0.4, 0.45]}
    assert zcl.state_from_attribute(FakeCluster(0x0300), "current_x", 1, EXTENDED) == {}


@pytest.mark.parametrize("mode,name", [(0, "hs"), (1, "xy"), (2, "ct"), (3, "hs")])
def test_color_mode_names(mode, name):
    assert zcl.state_from_attribute(FakeCluster(0x0300), "color_mode", mode, EXTENDED) == {
        "colormode": name
    }


def test_color_loop_active_is_the_effect():
    assert zcl.state_from_attribute(FakeCluster(0x0300), "color_loop_active", 1, EXTENDED) == {
        "effect": "colorloop"
    }


def test_colour_reports_of_a_ct_only_light_show_only_ct():
    cluster = FakeCluster(0x0300)
    assert zcl.state_from_attribute(cluster, "current_x", 100, CT_ONLY) == {}
    assert zcl.state_from_attribute(cluster, "color_temperature", 300, CT_ONLY) == {"ct": 300}


class _Status:
    def __init__(self, name: str) -> None:
        self.name = name


class _Failure(Exception):
    def __init__(self, name: str | None) -> None:
        self.status = _Status(name) if name else None


@pytest.mark.parametrize(
    "status", ["MAC_NO_ACK", "APS_NO_ACK", "NWK_NO_ROUTE", "MAC_TRANSACTION_EXPIRED", None]
)
def test_a_missing_acknowledgement_means_the_light_did_not_answer(status):
    assert radio_refusal(_Failure(status)) is None


def test_any_other_delivery_status_is_the_radio_refusing():
    assert radio_refusal(_Failure("BUFFER_FULL")) == "BUFFER_FULL"
