"""Which radio commands carry out a ``PUT .../state``, and in which order.

Why an order at all (also in docs/zigbee.md): ``on: true`` goes first so colour commands
reach a lit lamp, then bri, then colour in *reverse* priority (hs, ct, xy) so the lamp ends
in the mode the Hue priority xy > ct > hs names, then effect, alert, and ``on: false``
last. Each step says which request parameters it carries and what the light's state
becomes once the lamp acknowledged it.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.lights import colors
from gateway.domain.lights.model import (
    Identify,
    SetColorLoop,
    SetColorTemp,
    SetHueSat,
    SetLevel,
    SetXY,
    TurnOff,
    TurnOn,
    TurnOnAtLevel,
)
from gateway.domain.lights.records import (
    ALERT_SECONDS,
    DEFAULT_COLORLOOP_SPEED,
    Light,
    StateRequest,
    Step,
)


def plan_steps(light: Light, params: dict[str, Any], request: StateRequest) -> list[Step]:
    """The commands for the parameters that may be carried out, in sending order."""
    caps = light.caps
    tt = request.transition
    steps: list[Step] = []
    bri = colors.bri_to_level(params["bri"]) if "bri" in params else None
    if params.get("on") is True:
        if bri is not None and bri > 0 and caps.level:
            steps.append(Step(TurnOnAtLevel(bri, tt), ("on", "bri"), {"on": True, "bri": bri}))
            bri = None
        else:
            steps.append(Step(TurnOn(), ("on",), {"on": True}))
    if bri is not None:
        steps.append(Step(SetLevel(bri, tt), ("bri",), {"bri": bri}))
    if "hue" in params or "sat" in params:
        hue = params.get("hue")
        sat = colors.sat_to_zcl(params["sat"]) if "sat" in params else None
        applied: dict[str, Any] = {"colormode": "hs"}
        if hue is not None:
            applied["hue"] = hue
        if sat is not None:
            applied["sat"] = sat
        names = tuple(n for n in ("hue", "sat") if n in params)
        steps.append(Step(SetHueSat(hue, sat, tt), names, applied))
    if "ct" in params:
        ct = colors.clamp_ct(params["ct"], caps.ct_min, caps.ct_max)
        steps.append(Step(SetColorTemp(ct, tt), ("ct",), {"ct": ct, "colormode": "ct"}))
    if "xy" in params:
        x, y = params["xy"]
        steps.append(Step(SetXY(x, y, tt), ("xy",), {"xy": [x, y], "colormode": "xy"}))
    if "effect" in params:
        effect = params["effect"]
        speed = request.colorloopspeed or DEFAULT_COLORLOOP_SPEED
        loop = SetColorLoop(effect == "colorloop", colors.colorloop_time(speed))
        steps.append(Step(loop, ("effect",), {"effect": effect}))
    if "alert" in params:
        steps.append(Step(Identify(ALERT_SECONDS[params["alert"]]), ("alert",), {}))
    if params.get("on") is False:
        steps.append(Step(TurnOff(), ("on",), {"on": False}))
    return steps
