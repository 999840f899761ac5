"""The ``GATEWAY_HIL_*`` variables that describe a hardware rig, and how a bad one is said.

Why a module of its own: both sides of the rig (:mod:`hil.zigbee_side`, :mod:`hil.knx_side`)
and the rig itself read the environment, and a malformed variable must fail the same way
wherever it is read — with :class:`RigConfigError` naming the variable — before any peer
starts. The variables themselves are listed in ``hil/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ENV_ZIGBEE = "GATEWAY_HIL_ZIGBEE"
ENV_ZIGBEE_KIND = "GATEWAY_HIL_ZIGBEE_KIND"
ENV_ZIGBEE_BAUDRATE = "GATEWAY_HIL_ZIGBEE_BAUDRATE"
ENV_LIGHT = "GATEWAY_HIL_LIGHT"
ENV_JOIN_LIGHT = "GATEWAY_HIL_JOIN_LIGHT"
ENV_LIGHT_POWER = "GATEWAY_HIL_LIGHT_POWER"
ENV_USB_POWER = "GATEWAY_HIL_USB_POWER"
ENV_TOUCHLINK = "GATEWAY_HIL_TOUCHLINK_TARGET"
ENV_CHANNEL_CHANGE = "GATEWAY_HIL_CHANNEL_CHANGE"
ENV_KNX = "GATEWAY_HIL_KNX"
ENV_KNX_SWITCH = "GATEWAY_HIL_KNX_SWITCH"
ENV_KNX_BYTE = "GATEWAY_HIL_KNX_BYTE"
ENV_STATE_DIR = "GATEWAY_HIL_STATE_DIR"
ENV_VIRTUAL_STICKS = "GATEWAY_HIL_VIRTUAL_STICKS"

_IEEE = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){7}$")


class RigConfigError(ValueError):
    """A ``GATEWAY_HIL_*`` variable is malformed; the message names it."""


def ieee_from_environment(environ: Mapping[str, str], name: str) -> str | None:
    """The IEEE address the variable ``name`` holds (lower case), or None when unset."""
    value = environ.get(name, "").strip()
    if not value:
        return None
    if not _IEEE.match(value):
        raise RigConfigError(f"{name}: expected an IEEE address like 00:17:88:01:0e:00:00:01")
    return value.lower()
