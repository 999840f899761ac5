"""KNX values to Zigbee state parameters and back: what a KNX actuator would do and show.

Why these rules (KNX users expect them from any dimming actuator):
- brightness 0 % switches off, anything else switches on at that brightness;
- the brightness status is 0 % while the lamp is off (KNX visualisations show it so);
- relative dimming (DPT 3.007): step code 0 stops, 1 ("100 %") moves until released,
  2..7 step by 50 %, 25 %, ... 1.6 %; moving or stepping up switches an off lamp on;
- RGB (DPT 232.600) sets colour and brightness together (the brightest channel), and
  black switches off; its status is the lamp's colour at its brightness, 0 while off;
- colour temperature is Kelvin on KNX and mired in Zigbee (K = 1 000 000 / mired).
"""

from __future__ import annotations

import math
from typing import Any

from gateway.domain.lights.model import MoveLevel, StepLevel, StopLevel

BRI_MAX = 254
MOVE_RATE = 85
"""bri units per second while a KNX rocker is held: bottom to top in 3 s, as KNX dimmers
default to (ETS parameters of common actuators: 3-6 s for 0-100 %)."""
CT_MIN_MIRED, CT_MAX_MIRED = 153, 500


def switch_params(value: int | float) -> dict[str, Any]:
    return {"on": bool(value)}


def brightness_params(percent: int | float) -> dict[str, Any]:
    bri = round(percent * BRI_MAX / 100)
    if bri <= 0:
        return {"on": False}
    return {"on": True, "bri": max(1, min(BRI_MAX, bri))}


def dim_command(nibble: int) -> MoveLevel | StepLevel | StopLevel:
    up, code = bool(nibble & 0x08), nibble & 0x07
    if code == 0:
        return StopLevel()
    if code == 1:
        return MoveLevel(up=up, rate=MOVE_RATE)
    return StepLevel(up=up, step=max(1, round(BRI_MAX / 2 ** (code - 1))), transition=4)


def color_temperature_params(kelvin: int | float) -> dict[str, Any] | None:
    if kelvin <= 0:
        return None
    mired = round(1_000_000 / kelvin)
    return {"ct": max(CT_MIN_MIRED, min(CT_MAX_MIRED, mired))}


def rgb_params(rgb: int) -> dict[str, Any]:
    red, green, blue = rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF
    peak = max(red, green, blue)
    if peak == 0:
        return {"on": False}
    x, y = rgb_to_xy(red, green, blue)
    return {"on": True, "xy": [x, y], "bri": max(1, round(peak * BRI_MAX / 255))}


# -- status values from a reported state -------------------------------------------------


def status_values(state: dict[str, Any]) -> dict[str, int | float]:
    """The ``out`` slot values a lamp's state gives (only those it has)."""
    on = bool(state.get("on"))
    values: dict[str, int | float] = {"switch_status": int(on)}
    bri = state.get("bri")
    if isinstance(bri, int):
        values["brightness_status"] = round(bri * 100 / BRI_MAX) if on else 0
    elif "on" in state:
        values["brightness_status"] = 100 if on else 0
    ct = state.get("ct")
    if isinstance(ct, int) and ct > 0:
        values["color_temperature_status"] = round(1_000_000 / ct)
    xy = state.get("xy")
    if isinstance(xy, list | tuple) and len(xy) == 2:
        if not on:
            values["rgb_status"] = 0
        else:
            level = bri if isinstance(bri, int) else BRI_MAX
            values["rgb_status"] = xy_to_rgb(float(xy[0]), float(xy[1]), level)
    return values


def group_state(states: list[dict[str, Any]]) -> dict[str, Any]:
    """A group's state for KNX: on if any member is on, the brightest member's values."""
    on = [s for s in states if s.get("on")]
    if not on:
        merged = dict(states[0]) if states else {}
        merged["on"] = False
        return merged
    brightest: dict[str, Any] = max(on, key=_brightness)
    return dict(brightest)


def _brightness(state: dict[str, Any]) -> int:
    bri = state.get("bri")
    return bri if isinstance(bri, int) else BRI_MAX


SENSOR_FIELDS: dict[str, str] = {
    "presence": "presence",
    "open": "open",
    "temperature": "temperature",
    "humidity": "humidity",
    "lux": "lux",
}


def sensor_value(slot: str, state: dict[str, Any]) -> int | float | None:
    """The KNX value of a sensor slot from deCONZ sensor state (None when absent)."""
    raw = state.get(SENSOR_FIELDS[slot])
    if raw is None or isinstance(raw, str):
        return None
    if slot in ("presence", "open"):
        return int(bool(raw))
    if slot in ("temperature", "humidity"):
        return round(float(raw) / 100, 2)  # deCONZ: 1/100 °C and 1/100 %
    return float(raw)


# -- colour: sRGB <-> CIE xy (D65, the Hue/deCONZ convention) ----------------------------


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = max(0.0, c)
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def rgb_to_xy(red: int, green: int, blue: int) -> tuple[float, float]:
    r, g, b = (_linear(c / 255) for c in (red, green, blue))
    x = r * 0.4124 + g * 0.3576 + b * 0.1805
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = r * 0.0193 + g * 0.1192 + b * 0.9505
    total = x + y + z
    if total <= 0:
        return 0.3127, 0.329
    return round(x / total, 4), round(y / total, 4)


def xy_to_rgb(x: float, y: float, bri: int) -> int:
    """0xRRGGBB of a chromaticity at a brightness (the brightest channel follows ``bri``)."""
    if y <= 0:
        return 0
    big_y = 1.0
    big_x, big_z = big_y / y * x, big_y / y * (1 - x - y)
    r = big_x * 3.2406 - big_y * 1.5372 - big_z * 0.4986
    g = -big_x * 0.9689 + big_y * 1.8758 + big_z * 0.0415
    b = big_x * 0.0557 - big_y * 0.2040 + big_z * 1.0570
    channels = [_gamma(c) for c in (r, g, b)]
    peak = max(channels)
    if peak <= 0 or not math.isfinite(peak):
        return 0
    scale = max(0, min(BRI_MAX, bri)) / BRI_MAX * 255 / peak
    red, green, blue = (max(0, min(255, round(c * scale))) for c in channels)
    return red << 16 | green << 8 | blue
