"""The ZCL side of lights: interview and attribute reports, in zigpy terms.

Why one module: what we read when a light joins (``interview``) and how a reported
attribute becomes an API state field (``state_from_attribute``) mirror each other — the
same clusters, attributes and capabilities. What we send for each domain command is its
own module, :mod:`gateway.zigbee.zcl_commands`. Unit conversions are in
``gateway.domain.lights.colors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import zigpy.device
import zigpy.endpoint
import zigpy.exceptions
import zigpy.zcl
from zigpy.profiles import zha, zll
from zigpy.zcl import foundation
from zigpy.zcl.clusters.general import Basic, Identify, LevelControl, OnOff
from zigpy.zcl.clusters.lighting import Color
from zigpy.zcl.helpers import ReportingConfig

from gateway.domain.lights import colors
from gateway.domain.lights.model import (
    Capabilities,
    DiscoveredLight,
    LightAddress,
    LightType,
)

log = logging.getLogger(__name__)

LIGHT_PROFILES = (zha.PROFILE_ID, zll.PROFILE_ID)
# zigpy numbers ZCL transactions per device, and zigpy-znp matches AF.DataConfirm to a
# request by that number alone: two requests to two devices in flight with the same
# number get each other's confirmation. So every request we make takes its number from
# one gateway-wide counter (the application's), passed in as ``tsn``.
TsnSource = Callable[[], int]

# ZCL Color Capabilities bits (0x400A).
CAP_HS, CAP_ENHANCED_HUE, CAP_COLORLOOP, CAP_XY, CAP_CT = 0x01, 0x02, 0x04, 0x08, 0x10
COLOR_MODES = {0: "hs", 1: "xy", 2: "ct", 3: "hs"}  # 3: enhanced hue and saturation

# What to bind and report: (cluster, attribute, min s, max s, change).
REPORTING: tuple[tuple[type[zigpy.zcl.Cluster], str, int, int, int], ...] = (
    (OnOff, "on_off", 0, 300, 0),
    (LevelControl, "current_level", 1, 300, 1),
    (Color, "current_x", 1, 300, 16),
    (Color, "current_y", 1, 300, 16),
    (Color, "color_temperature", 1, 300, 1),
    (Color, "current_hue", 1, 300, 1),
    (Color, "enhanced_current_hue", 1, 300, 64),
    (Color, "current_saturation", 1, 300, 1),
    (Color, "color_mode", 0, 300, 0),
    (Color, "color_loop_active", 0, 300, 0),
)

# Device types whose name decides the type when the clusters leave it open.
PLUG_DEVICE_TYPES: set[tuple[int, int]] = {
    (zha.PROFILE_ID, zha.DeviceType.MAIN_POWER_OUTLET),
    (zha.PROFILE_ID, zha.DeviceType.ON_OFF_PLUG_IN_UNIT),
    (zha.PROFILE_ID, zha.DeviceType.SMART_PLUG),
    (zll.PROFILE_ID, zll.DeviceType.ON_OFF_PLUGIN_UNIT),
}
DIMMABLE_PLUG_DEVICE_TYPES: set[tuple[int, int]] = {
    (zha.PROFILE_ID, zha.DeviceType.DIMMABLE_PLUG_IN_UNIT),
    (zll.PROFILE_ID, zll.DeviceType.DIMMABLE_PLUGIN_UNIT),
}
# Color capabilities assumed when the light does not answer the attribute read.
ASSUMED_COLOR_CAPS: dict[tuple[int, int], int] = {
    (zha.PROFILE_ID, zha.DeviceType.EXTENDED_COLOR_LIGHT): 0x1F,
    (zll.PROFILE_ID, zll.DeviceType.EXTENDED_COLOR_LIGHT): 0x1F,
    (zha.PROFILE_ID, zha.DeviceType.COLOR_TEMPERATURE_LIGHT): CAP_CT,
    (zll.PROFILE_ID, zll.DeviceType.COLOR_TEMPERATURE_LIGHT): CAP_CT,
    (zha.PROFILE_ID, zha.DeviceType.COLOR_DIMMABLE_LIGHT): CAP_HS | CAP_XY,
    (zll.PROFILE_ID, zll.DeviceType.COLOR_LIGHT): CAP_HS | CAP_XY,
}

STATE_ATTRIBUTES: dict[type[zigpy.zcl.Cluster], tuple[str, ...]] = {
    OnOff: ("on_off",),
    LevelControl: ("current_level",),
    Color: (
        "color_mode",
        "current_hue",
        "enhanced_current_hue",
        "current_saturation",
        "current_x",
        "current_y",
        "color_temperature",
        "color_loop_active",
    ),
}


# -- which endpoints are lights ---------------------------------------------------------------


def light_endpoints(device: zigpy.device.Device) -> list[zigpy.endpoint.Endpoint]:
    """Endpoints with an On/Off *server* on a lighting profile: lamps, plugs, dimmers."""
    found = []
    for endpoint_id, endpoint in device.endpoints.items():
        if endpoint_id == 0 or not isinstance(endpoint, zigpy.endpoint.Endpoint):
            continue
        if endpoint.profile_id in LIGHT_PROFILES and OnOff.cluster_id in endpoint.in_clusters:
            found.append(endpoint)
    return found


def address_of(device: zigpy.device.Device, endpoint_id: int) -> LightAddress:
    return LightAddress(str(device.ieee), endpoint_id)


# -- interview --------------------------------------------------------------------------------


async def interview(
    device: zigpy.device.Device,
    endpoint: zigpy.endpoint.Endpoint,
    tsn: TsnSource,
    *,
    report: bool = True,
) -> DiscoveredLight:
    """Learn what the light is and what it shows now; set up reporting.

    Reads that time out raise (the caller retries); attributes a light does not have are
    simply absent. Binding and reporting failures are logged and tolerated: a light that
    does not report still works, its state is then only what we set.
    """
    clusters = endpoint.in_clusters
    basic = _basic_cluster(device, endpoint)
    manufacturer, model, swversion = device.manufacturer or "", device.model or "", ""
    if basic is not None:
        values = await _read(basic, ("manufacturer", "model", "sw_build_id", "date_code"), tsn)
        manufacturer = str(values.get("manufacturer") or manufacturer)
        model = str(values.get("model") or model)
        swversion = str(values.get("sw_build_id") or values.get("date_code") or "")
    key = (int(endpoint.profile_id or 0), int(endpoint.device_type or 0))
    color_caps, ct_min, ct_max = 0, None, None
    if Color.cluster_id in clusters:
        values = await _read(
            clusters[Color.cluster_id],
            ("color_capabilities", "color_temp_physical_min", "color_temp_physical_max"),
            tsn,
        )
        color_caps = int(values.get("color_capabilities", ASSUMED_COLOR_CAPS.get(key, 0)))
        ct_min = _mired(values.get("color_temp_physical_min"))
        ct_max = _mired(values.get("color_temp_physical_max"))
    caps = Capabilities(
        level=LevelControl.cluster_id in clusters,
        hue_sat=bool(color_caps & (CAP_HS | CAP_ENHANCED_HUE)),
        enhanced_hue=bool(color_caps & CAP_ENHANCED_HUE),
        xy=bool(color_caps & CAP_XY),
        ct=bool(color_caps & CAP_CT),
        colorloop=bool(color_caps & CAP_COLORLOOP),
        identify=Identify.cluster_id in clusters,
        ct_min=ct_min if color_caps & CAP_CT else None,
        ct_max=ct_max if color_caps & CAP_CT else None,
        color_capabilities=color_caps,
    )
    state = await read_state(endpoint, caps, tsn)
    if report:
        await configure_reporting(endpoint)
    return DiscoveredLight(
        address=address_of(device, endpoint.endpoint_id),
        type=light_type(caps, key),
        manufacturer=manufacturer,
        model=model,
        swversion=swversion,
        capabilities=caps,
        state=state,
    )


def light_type(caps: Capabilities, key: tuple[int, int]) -> LightType:
    """deCONZ's type names, from what the light can do (device ids only for plugs)."""
    if caps.ct and (caps.hue_sat or caps.xy):
        return LightType.EXTENDED_COLOR
    if caps.ct:
        return LightType.COLOR_TEMPERATURE
    if caps.hue_sat or caps.xy:
        return LightType.COLOR
    if caps.level:
        return LightType.DIMMABLE_PLUG if key in DIMMABLE_PLUG_DEVICE_TYPES else LightType.DIMMABLE
    return LightType.ON_OFF_PLUG if key in PLUG_DEVICE_TYPES else LightType.ON_OFF_LIGHT


async def read_state(
    endpoint: zigpy.endpoint.Endpoint, caps: Capabilities, tsn: TsnSource
) -> dict[str, Any]:
    """Read the light's current state attributes, as API state fields."""
    state: dict[str, Any] = {}
    for cluster_type, names in STATE_ATTRIBUTES.items():
        cluster = endpoint.in_clusters.get(cluster_type.cluster_id)
        if cluster is None:
            continue
        values = await _read(cluster, names, tsn)
        for name, value in values.items():
            state.update(state_from_attribute(cluster, name, value, caps))
    return state


async def configure_reporting(endpoint: zigpy.endpoint.Endpoint) -> None:
    """Bind the light's clusters to us and ask for reports on every state attribute."""
    by_cluster: dict[int, dict[foundation.ZCLAttributeDef, ReportingConfig]] = {}
    for cluster_type, attribute, lo, hi, change in REPORTING:
        cluster = endpoint.in_clusters.get(cluster_type.cluster_id)
        if cluster is None:
            continue
        definition = cluster.find_attribute(attribute)
        by_cluster.setdefault(cluster.cluster_id, {})[definition] = ReportingConfig(
            min_interval=lo, max_interval=hi, reportable_change=change
        )
    for cluster_id, config in by_cluster.items():
        cluster = endpoint.in_clusters[cluster_id]
        try:
            await cluster.bind()
            await cluster.configure_reporting_multiple(config)
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            log.info("reporting on %s not configured: %r", cluster, exc)


def _basic_cluster(
    device: zigpy.device.Device, endpoint: zigpy.endpoint.Endpoint
) -> zigpy.zcl.Cluster | None:
    for candidate in (endpoint, *device.non_zdo_endpoints):
        cluster: zigpy.zcl.Cluster | None = candidate.in_clusters.get(Basic.cluster_id)
        if cluster is not None:
            return cluster
    return None


async def _read(
    cluster: zigpy.zcl.Cluster, names: tuple[str, ...], tsn: TsnSource
) -> dict[str, Any]:
    """Read attributes by name; unsupported ones are left out."""
    success, _failure = await cluster.read_attributes(list(names), tsn=tsn())
    return {str(k): v for k, v in success.items() if v is not None}


def _mired(value: Any) -> int | None:
    if value is None or not 0 < int(value) < 0xFFFF:
        return None
    return int(value)


# -- attribute -> state ------------------------------------------------------------------------


def state_from_attribute(
    cluster: zigpy.zcl.Cluster, name: str | None, value: Any, caps: Capabilities
) -> dict[str, Any]:
    """One attribute update as API state fields ({} when it does not map to any)."""
    if name is None or value is None:
        return {}
    cluster_id = cluster.cluster_id
    if cluster_id == OnOff.cluster_id and name == "on_off":
        return {"on": bool(value)}
    if cluster_id == LevelControl.cluster_id and name == "current_level":
        return {"bri": colors.level_to_bri(int(value))}
    if cluster_id != Color.cluster_id:
        return {}
    if name == "current_hue" and caps.hue_sat and not caps.enhanced_hue:
        return {"hue": colors.zcl_to_hue(int(value))}
    if name == "enhanced_current_hue" and caps.enhanced_hue:
        return {"hue": int(value)}
    if name == "current_saturation" and caps.hue_sat:
        return {"sat": colors.zcl_to_sat(int(value))}
    if name in ("current_x", "current_y") and caps.xy:
        x, y = _cached(cluster, "current_x"), _cached(cluster, "current_y")
        x = int(value) if name == "current_x" else x
        y = int(value) if name == "current_y" else y
        if x is None or y is None:
            return {}
        return {"xy": list(colors.zcl_to_xy(x, y))}
    if name == "color_temperature" and caps.ct and int(value) > 0:
        return {"ct": int(value)}
    if name == "color_mode" and caps.has_color:
        mode = COLOR_MODES.get(int(value))
        return {"colormode": mode} if mode else {}
    if name == "color_loop_active" and caps.colorloop:
        return {"effect": "colorloop" if value else "none"}
    return {}


def _cached(cluster: zigpy.zcl.Cluster, name: str) -> int | None:
    try:
        value = cluster.get(name)
    except Exception:
        return None
    return None if value is None else int(value)
