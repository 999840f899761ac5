"""Colour-space conversions a real lamp does when it reports xy for hs/ct commands.

Why: deCONZ-style clients read ``current_x``/``current_y`` after setting a colour
temperature or hue/saturation, and real bulbs update them. These are the usual sRGB/D65
and Planckian-locus approximations; precision within a few thousandths is plenty here.
"""

from __future__ import annotations

import colorsys

XY_SCALE = 65536  # ZCL CurrentX/CurrentY are x * 65536


def ct_to_xy(mireds: int) -> tuple[int, int]:
    """Kim et al. cubic-spline approximation of the Planckian locus (1667 K..25000 K)."""
    kelvin = min(max(1_000_000 / max(mireds, 1), 1667.0), 25000.0)
    k1, k2, k3 = 1e3 / kelvin, 1e6 / kelvin**2, 1e9 / kelvin**3
    if kelvin <= 4000:
        x = -0.2661239 * k3 - 0.2343589 * k2 + 0.8776956 * k1 + 0.179910
    else:
        x = -3.0258469 * k3 + 2.1070379 * k2 + 0.2226347 * k1 + 0.240390
    if kelvin <= 2222:
        y = -1.1063814 * x**3 - 1.34811020 * x**2 + 2.18555832 * x - 0.20219683
    elif kelvin <= 4000:
        y = -0.9549476 * x**3 - 1.37418593 * x**2 + 2.09137015 * x - 0.16748867
    else:
        y = 3.0817580 * x**3 - 5.87338670 * x**2 + 3.75112997 * x - 0.37001483
    return _scale(x), _scale(y)


def hs_to_xy(hue: int, saturation: int, *, enhanced: bool = False) -> tuple[int, int]:
    """ZCL hue (0..254 or 0..65535 enhanced) and saturation (0..254) to CIE xy."""
    h = hue / 65536 if enhanced else hue / 254
    s = min(saturation, 254) / 254
    r, g, b = (_linear(c) for c in colorsys.hsv_to_rgb(h % 1.0, s, 1.0))
    big_x = r * 0.4124 + g * 0.3576 + b * 0.1805
    big_y = r * 0.2126 + g * 0.7152 + b * 0.0722
    big_z = r * 0.0193 + g * 0.1192 + b * 0.9505
    total = big_x + big_y + big_z
    if total == 0:
        return _scale(0.3127), _scale(0.3290)
    return _scale(big_x / total), _scale(big_y / total)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _scale(value: float) -> int:
    return min(max(round(value * XY_SCALE), 0), 0xFEFF)
