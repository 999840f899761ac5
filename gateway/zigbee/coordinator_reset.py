"""Noticing a Z-Stack coordinator that reset itself.

Why: after a watchdog reset or brown-out the stick boots with the network stopped and its
endpoints forgotten, yet still answers pings, so neither the serial port nor zigpy's
watchdog notices; zigpy-znp ignores the SYS_RESET_IND. The supervisor treats it as a lost
connection and restarts the application, which starts the network again. (A RaspBee's
equivalent is :mod:`gateway.zigbee.deconz_watch`.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import zigpy.application

from gateway.zigbee.radios import ZNP_KINDS

ControllerApplication = zigpy.application.ControllerApplication


def watch_coordinator_resets(
    app: ControllerApplication, kind: str, on_reset: Callable[[Any], None]
) -> bool:
    """Call ``on_reset(SYS_RESET_IND)`` for every reset a ZNP stick reports; whether it could.

    ``on_reset`` decides whether the reset was expected: resets we cause ourselves
    happen inside an exclusive operation (network reset) or during start-up and
    tear-down.
    """
    znp = getattr(app, "_znp", None) if kind in ZNP_KINDS else None
    if znp is None:
        return False
    from zigpy_znp import commands

    znp.callback_for_response(commands.SYS.ResetInd.Callback(partial=True), on_reset)
    return True
