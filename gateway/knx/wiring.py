"""Builds and starts the KNX side and the Thinknx API from the settings (owned by the KNX work)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gateway.knx.runtime import start_knx_runtime
from gateway.wiring import Contribution

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger(__name__)


async def start_knx(gateway: Gateway) -> Contribution:
    mode = gateway.settings.knx.mode
    if mode == "none":
        log.info("no KNX connection configured (knx.mode = none)")
    # Connects in the background (and starts the emulator for "virtual"): never blocks start.
    runtime = await start_knx_runtime(gateway.settings.knx)
    return Contribution(status=runtime.status, healthy=runtime.healthy, stop=runtime.stop)
