"""The ZCL commands for the domain's light commands, in zigpy terms (and ZDO leave).

Why apart from the interview (:mod:`gateway.zigbee.zcl`): sending is the hot path of every
``PUT .../state`` and of every KNX telegram bound to a lamp, with its own rules — which
ZCL command carries a domain command on a given lamp (enhanced hue or not, dimming up
with on/off), and that delivery (the APS acknowledgement) is what counts, not the ZCL
Default Response. The interview only reads. Unit conversions are in
``gateway.domain.lights.colors``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import zigpy.device
import zigpy.endpoint
import zigpy.zcl
from zigpy.zcl.clusters.general import Identify, LevelControl, OnOff
from zigpy.zcl.clusters.lighting import Color

from gateway.domain.lights import colors
from gateway.domain.lights.model import (
    Capabilities,
    LightCommand,
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
from gateway.zigbee.zcl import TsnSource

LEAVE_TIMEOUT = 5.0

# Color Loop Set: update flags and actions (ZCL 5.2.2.3.20).
LOOP_UPDATE_ACTION, LOOP_UPDATE_DIRECTION, LOOP_UPDATE_TIME = 0x01, 0x02, 0x04
LOOP_DEACTIVATE, LOOP_FROM_CURRENT_HUE = 0x00, 0x02
LOOP_UP = 0x01
# Level Control move/step modes (ZCL 3.10.2.4.2).
LEVEL_UP, LEVEL_DOWN = 0x00, 0x01


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
