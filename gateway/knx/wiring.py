"""Builds and starts the KNX side and the Thinknx API from the settings (owned by the KNX work)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gateway.wiring import Contribution

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger(__name__)


async def start_knx(gateway: Gateway) -> Contribution:
    mode = gateway.settings.knx.mode
    if mode == "none":
        log.info("no KNX connection configured (knx.mode = none)")
    else:
        log.warning("KNX mode %r is not wired yet: starting without KNX", mode)
    return Contribution(status=lambda: "knx: none")
