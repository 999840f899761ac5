"""Builds and starts the Zigbee side from the settings (owned by the Zigbee radio work)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gateway.wiring import Contribution

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger(__name__)


async def start_zigbee(gateway: Gateway) -> Contribution:
    kind = gateway.settings.radio.kind
    if kind == "none":
        log.info("no Zigbee radio configured (radio.kind = none)")
    else:
        log.warning("Zigbee radio kind %r is not supported yet: starting without a radio", kind)
    return Contribution(status=lambda: "zigbee: no radio")
