"""Capturing a lamp's state into a scene and showing a scene again (Store/Recall Scene).

Why a module of its own: a scene touches On/Off, Level and Color together, and a recall
fades all of them over one transition time, so this reads the servers' values and starts
their transitions from one place instead of teaching each server about scenes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .general import OnOffServer
from .level import LevelServer
from .lighting import ENHANCED_HS, MODE_CT, MODE_HS, MODE_XY, ColorServer
from .scene_fields import COLOR, LEVEL, ON_OFF, SCENE_ATTRIBUTES, Scene
from .spec import ColorCapabilities as Cap
from .transition import Ramp, hue_ramp

if TYPE_CHECKING:
    from .endpoint import SimEndpoint

EHUE_MODULUS = 65536


def _final(endpoint: SimEndpoint, cluster: int, name: str) -> Any:
    """The value an attribute is heading to (a scene stores where a fade ends)."""
    transition = endpoint.transitions.get(cluster)
    if transition is not None and name in transition.ramps:
        return transition.ramps[name].target
    server = endpoint.clusters[cluster]
    return server.get(name)


def capture(endpoint: SimEndpoint) -> dict[int, dict[str, int]]:
    """The scene attributes this endpoint has, with their current (final) values."""
    fields: dict[int, dict[str, int]] = {}
    for cluster, attributes in SCENE_ATTRIBUTES.items():
        server = endpoint.clusters.get(cluster)
        if server is None:
            continue
        values = {}
        for name, _ in attributes:
            if name in server.values:
                value = _final(endpoint, cluster, name)
                if value is not None:
                    values[name] = int(value)
        if values:
            fields[cluster] = values
    return fields


def recall(endpoint: SimEndpoint, scene: Scene, seconds: float) -> None:
    """Moves the lamp to the scene over ``seconds``. An "off" scene fades the level
    first and switches off at the end, as lamps do for a fade-out."""
    fields = scene.fields or {}
    onoff = endpoint.clusters.get(ON_OFF)
    onoff = onoff if isinstance(onoff, OnOffServer) else None
    level = endpoint.clusters.get(LEVEL)
    color = endpoint.clusters.get(COLOR)
    on = fields.get(ON_OFF, {}).get("on_off")
    if on and onoff is not None:
        onoff.switch(True)
    switch_off = None
    if on == 0 and onoff is not None:
        switch_off = lambda: onoff.switch(False)  # noqa: E731
    target_level = fields.get(LEVEL, {}).get("current_level")
    if target_level is not None and isinstance(level, LevelServer):
        ramp = Ramp(level.get("current_level"), _clamp_level(level, target_level))
        endpoint.start_transition(LEVEL, {"current_level": ramp}, seconds, switch_off)
    elif switch_off is not None:
        switch_off()
    if isinstance(color, ColorServer) and fields.get(COLOR):
        _show_color(color, fields[COLOR], scene.color_mode, seconds)


def _clamp_level(level: LevelServer, value: int) -> int:
    return min(max(value, int(level.values["min_level"])), int(level.values["max_level"]))


def _show_color(
    color: ColorServer, values: dict[str, int], mode: int | None, seconds: float
) -> None:
    caps = color.caps
    endpoint = color.endpoint
    if mode == MODE_CT and Cap.COLOR_TEMPERATURE in caps and "color_temperature" in values:
        low, high = color._ct_bounds(0, 0)
        target = min(max(values["color_temperature"], low), high)
        color._mode(MODE_CT)
        ramp = Ramp(color.get("color_temperature"), target)
        endpoint.start_transition(COLOR, {"color_temperature": ramp}, seconds, color._xy_from_ct)
    elif mode == MODE_HS and Cap.ENHANCED_HUE in caps and "enhanced_current_hue" in values:
        color._mode(MODE_HS, ENHANCED_HS)
        ramps = {
            "enhanced_current_hue": hue_ramp(
                color.get("enhanced_current_hue"), values["enhanced_current_hue"], 0, EHUE_MODULUS
            ),
            "current_saturation": Ramp(
                color.get("current_saturation"), min(values.get("current_saturation", 0), 254)
            ),
        }
        endpoint.start_transition(COLOR, ramps, seconds, color._sync_hue_from_enhanced)
    elif Cap.XY in caps and "current_y" in values:
        color._mode(MODE_XY)
        ramps = {
            "current_x": Ramp(color.get("current_x"), min(values["current_x"], 0xFEFF)),
            "current_y": Ramp(color.get("current_y"), min(values["current_y"], 0xFEFF)),
        }
        endpoint.start_transition(COLOR, ramps, seconds, lambda: None)
