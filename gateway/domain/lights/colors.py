"""Colour maths between the deCONZ/Hue API units and the ZCL Color Control units.

Why a module of its own: the API speaks Hue's units (hue 0..65535, sat 0..255, CIE xy as
floats, mired) and the lights speak ZCL's (hue 0..254 or enhanced 0..65535, sat 0..254,
xy as 16-bit fractions capped at 0xFEFF). Every conversion lives here, in both directions,
so that a value written and read back comes out the same and so the rounding rules are in
one place that tests can pin down. Pure functions only; no I/O.
"""

from __future__ import annotations

# ZCL Color Control limits (ZCL 7, 5.2.2.2).
ZCL_HUE_MAX = 254  # CurrentHue 0..0xFE
ZCL_SAT_MAX = 254  # CurrentSaturation 0..0xFE
ZCL_XY_MAX = 0xFEFF  # CurrentX/CurrentY 0..0xFEFF
ZCL_XY_SCALE = 65536  # CurrentX = x * 65536 (ZCL 5.2.2.2.1.4)
ZCL_LEVEL_MAX = 254  # CurrentLevel 0..0xFE
ZCL_TRANSITION_MAX = 0xFFFE  # 0xFFFF means "as fast as able" on some commands

API_HUE_MAX = 65535
API_SAT_MAX = 255
API_BRI_MAX = 255
CT_API_MIN = 153  # 6500 K
CT_API_MAX = 500  # 2000 K
TRANSITION_API_MAX = 0xFFFF

# Decimal places deCONZ shows xy with.
XY_DIGITS = 4


def bri_to_level(bri: int) -> int:
    """API brightness 0..255 to ZCL level 0..254 (255 is the same as 254, as in deCONZ)."""
    return max(0, min(bri, ZCL_LEVEL_MAX))


def level_to_bri(level: int) -> int:
    """ZCL level to API brightness: the same number, capped at 254."""
    return max(0, min(level, ZCL_LEVEL_MAX))


def sat_to_zcl(sat: int) -> int:
    """API saturation 0..255 to ZCL 0..254 (255 is the same as 254)."""
    return max(0, min(sat, ZCL_SAT_MAX))


def zcl_to_sat(value: int) -> int:
    return max(0, min(value, ZCL_SAT_MAX))


def hue_to_zcl(hue: int) -> int:
    """API hue 0..65535 to the 8-bit ZCL hue 0..254 (for lights without enhanced hue)."""
    return max(0, min(round(hue * ZCL_HUE_MAX / API_HUE_MAX), ZCL_HUE_MAX))


def zcl_to_hue(value: int) -> int:
    """8-bit ZCL hue back to the API scale."""
    return max(0, min(round(value * API_HUE_MAX / ZCL_HUE_MAX), API_HUE_MAX))


def hue_to_enhanced(hue: int) -> int:
    """API hue to the 16-bit enhanced hue: the scales are identical."""
    return max(0, min(hue, API_HUE_MAX))


def xy_to_zcl(x: float, y: float) -> tuple[int, int]:
    """CIE xy floats 0..1 to ZCL CurrentX/CurrentY, capped at 0xFEFF (x ≈ 0.9961)."""
    return _coord_to_zcl(x), _coord_to_zcl(y)


def _coord_to_zcl(value: float) -> int:
    return max(0, min(round(value * ZCL_XY_SCALE), ZCL_XY_MAX))


def zcl_to_xy(x: int, y: int) -> tuple[float, float]:
    """ZCL CurrentX/CurrentY to xy floats rounded to 4 decimals, as deCONZ shows them."""
    return _zcl_to_coord(x), _zcl_to_coord(y)


def _zcl_to_coord(value: int) -> float:
    return round(max(0, min(value, ZCL_XY_MAX)) / ZCL_XY_SCALE, XY_DIGITS)


def clamp_ct(ct: int, ct_min: int | None, ct_max: int | None) -> int:
    """A mired value limited to what the light can do (its physical min/max when known)."""
    if ct_min is not None and ct < ct_min:
        return ct_min
    if ct_max is not None and ct > ct_max:
        return ct_max
    return ct


def transition_to_zcl(tenths: int | None, default: int = 4) -> int:
    """API transitiontime (1/10 s) to the ZCL transition time (also 1/10 s), capped."""
    value = default if tenths is None else tenths
    return max(0, min(value, ZCL_TRANSITION_MAX))


def colorloop_time(speed: int) -> int:
    """API colorloopspeed (1 fastest .. 255 slowest, seconds per cycle) to ZCL loop time."""
    return max(1, min(speed, 255))
