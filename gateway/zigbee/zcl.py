"""The ZCL side of lights: interview, commands and attribute reports, in zigpy terms.

Why one module: everything that knows cluster and attribute names sits here, in three
parts that mirror each other — what we read when a light joins (``interview``), what we
send for each domain command (``execute``), and how a reported attribute becomes an API
state field (``state_from_attribute``). Unit conversions are in ``gateway.domain.lights.colors``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
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
    LightCommand,
    LightType,
    MoveLevel,
    SetColorLoop,
    SetColorTemp,
    SetHueSat,
    SetLevel,
    SetXY,
    StepLevel,
    StopLevel,
    TurnOff,
    TurnOn,
    TurnOnAtLevel,
)
from gateway.domain.lights.model import Identify as IdentifyCommand

log = logging.getLogger(__name__)

LIGHT_PROFILES = (zha.PROFILE_ID, zll.PROFILE_ID)
# zigpy numbers ZCL transactions per device, and zigpy-znp matches AF.DataConfirm to a
# request by that number alone: two requests to two devices in flight with the same
# number get each other's confirmation. So every request we make takes its number from
# one gateway-wide counter (the application's), passed in as ``tsn``.
TsnSource = Callable[[], int]
LEAVE_TIMEOUT = 5.0

# ZCL Color Capabilities bits (0x400A).
CAP_HS, CAP_ENHANCED_HUE, CAP_COLORLOOP, CAP_XY, CAP_CT = 0x01, 0x02, 0x04, 0x08, 0x10
COLOR_MODES = {0: "hs", 1: "xy", 2: "ct", 3: "hs"}  # 3: enhanced hue and saturation

# Color Loop Set: update flags and actions (ZCL 5.2.2.3.20).
LOOP_UPDATE_ACTION, LOOP_UPDATE_DIRECTION, LOOP_UPDATE_TIME = 0x01, 0x02, 0x04
LOOP_DEACTIVATE, LOOP_FROM_CURRENT_HUE = 0x00, 0x02
LOOP_UP = 0x01
# Level Control move/step modes (ZCL 3.10.2.4.2).
LEVEL_UP, LEVEL_DOWN = 0x00, 0x01

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


# -- commands ----------------------------------------------------------------------------------


async def execute(
    endpoint: zigpy.endpoint.Endpoint,
    caps: Capabilities,
    command: LightCommand,
    tsn: TsnSource,
    *,
    retries: int = 1,
) -> None:
    """Send one domain command as ZCL; return once the light acknowledged it (APS ack).

    Like deCONZ and the Hue bridge, we do not wait for the ZCL Default Response: the
    command goes out with "disable default response" set and APS acknowledgement
    requested, so delivery is what counts. Waiting for Default Responses would also
    run into zigpy's duplicate filter (identical responses within 10 s are dropped once
    the 8-bit transaction number wraps), which a busy light reaches at ~26 commands/s.
    Raises zigpy's DeliveryError / TimeoutError when delivery fails.
    """
    clusters = endpoint.in_clusters
    kw: dict[str, Any] = {
        "retries": retries,
        "tsn": tsn(),
        "expect_reply": False,
        "disable_default_response": True,
    }
    match command:
        case TurnOn():
            await clusters[OnOff.cluster_id].on(**kw)
        case TurnOff():
            await clusters[OnOff.cluster_id].off(**kw)
        case TurnOnAtLevel(bri=bri, transition=tt):
            await clusters[LevelControl.cluster_id].move_to_level_with_on_off(
                level=colors.bri_to_level(bri), transition_time=colors.transition_to_zcl(tt), **kw
            )
        case SetLevel(bri=bri, transition=tt):
            await clusters[LevelControl.cluster_id].move_to_level(
                level=colors.bri_to_level(bri), transition_time=colors.transition_to_zcl(tt), **kw
            )
        case MoveLevel(up=up, rate=rate):
            await _move_level(clusters[LevelControl.cluster_id], up, rate, kw)
        case StepLevel(up=up, step=step, transition=tt):
            level = clusters[LevelControl.cluster_id]
            mode = LEVEL_UP if up else LEVEL_DOWN
            size = max(1, min(254, step))
            if up:
                await level.step_with_on_off(
                    step_mode=mode,
                    step_size=size,
                    transition_time=colors.transition_to_zcl(tt),
                    **kw,
                )
            else:
                await level.step(
                    step_mode=mode,
                    step_size=size,
                    transition_time=colors.transition_to_zcl(tt),
                    **kw,
                )
        case StopLevel():
            await clusters[LevelControl.cluster_id].stop(**kw)
        case SetHueSat():
            await _hue_sat(clusters[Color.cluster_id], caps, command, kw)
        case SetColorTemp(ct=ct, transition=tt):
            await clusters[Color.cluster_id].move_to_color_temp(
                color_temp_mireds=ct, transition_time=colors.transition_to_zcl(tt), **kw
            )
        case SetXY(x=x, y=y, transition=tt):
            zx, zy = colors.xy_to_zcl(x, y)
            await clusters[Color.cluster_id].move_to_color(
                color_x=zx, color_y=zy, transition_time=colors.transition_to_zcl(tt), **kw
            )
        case SetColorLoop(active=True, speed=speed):
            await clusters[Color.cluster_id].color_loop_set(
                update_flags=LOOP_UPDATE_ACTION | LOOP_UPDATE_DIRECTION | LOOP_UPDATE_TIME,
                action=LOOP_FROM_CURRENT_HUE,
                direction=LOOP_UP,
                time=colors.colorloop_time(speed),
                start_hue=0,
                **kw,
            )
        case SetColorLoop(active=False):
            await clusters[Color.cluster_id].color_loop_set(
                update_flags=LOOP_UPDATE_ACTION,
                action=LOOP_DEACTIVATE,
                direction=0,
                time=0,
                start_hue=0,
                **kw,
            )
        case IdentifyCommand(seconds=seconds):
            await clusters[Identify.cluster_id].identify(identify_time=seconds, **kw)
        case _:  # pragma: no cover - the union is exhaustive
            raise AssertionError(command)


async def _move_level(
    cluster: zigpy.zcl.Cluster, up: bool, rate: int, kw: Mapping[str, Any]
) -> Any:
    """Up with on/off (an off lamp comes on, as under a KNX dimmer); down without it, so
    the lamp stops at its lowest level instead of switching off."""
    speed = max(1, min(254, rate))
    if up:
        return await cluster.move_with_on_off(move_mode=LEVEL_UP, rate=speed, **kw)
    return await cluster.move(move_mode=LEVEL_DOWN, rate=speed, **kw)


async def _hue_sat(
    cluster: zigpy.zcl.Cluster, caps: Capabilities, command: SetHueSat, kw: Mapping[str, Any]
) -> Any:
    tt = colors.transition_to_zcl(command.transition)
    hue, sat = command.hue, command.sat
    if hue is not None and sat is not None:
        if caps.enhanced_hue:
            return await cluster.enhanced_move_to_hue_and_saturation(
                enhanced_hue=colors.hue_to_enhanced(hue),
                saturation=colors.sat_to_zcl(sat),
                transition_time=tt,
                **kw,
            )
        return await cluster.move_to_hue_and_saturation(
            hue=colors.hue_to_zcl(hue), saturation=colors.sat_to_zcl(sat), transition_time=tt, **kw
        )
    if hue is not None:
        if caps.enhanced_hue:
            return await cluster.enhanced_move_to_hue(
                enhanced_hue=colors.hue_to_enhanced(hue), direction=0, transition_time=tt, **kw
            )
        return await cluster.move_to_hue(
            hue=colors.hue_to_zcl(hue), direction=0, transition_time=tt, **kw
        )
    assert sat is not None
    return await cluster.move_to_saturation(
        saturation=colors.sat_to_zcl(sat), transition_time=tt, **kw
    )


async def leave(device: zigpy.device.Device, wait: float = LEAVE_TIMEOUT) -> None:
    """ZDO Mgmt_Leave_req to the device (no rejoin, children stay); ``wait`` bounds the
    wait for its Mgmt_Leave_rsp."""
    async with asyncio.timeout(wait):
        await device.zdo.leave(remove_children=False, rejoin=False)
