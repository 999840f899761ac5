"""The lights domain: ids, names, the state model and the rules of ``PUT .../state``.

- ``model``: capabilities, addresses and the radio-neutral commands (the port's vocabulary);
- ``colors``: unit conversions between the API and ZCL;
- ``records``: a light in memory, a state request and its per-parameter outcome;
- ``planning``: which commands carry out a request, in which order;
- ``rendering`` / ``publishing``: the API's light object and the websocket events;
- ``service``: :class:`LightsService`, which keeps, persists and publishes every light.
"""

from __future__ import annotations

from gateway.domain.lights.records import (
    ALERT_SECONDS,
    COMMAND_PARAMS,
    Light,
    LightNotFound,
    LightTransport,
    Outcome,
    ParamResult,
    StateRequest,
)
from gateway.domain.lights.search import SEARCH_SECONDS
from gateway.domain.lights.service import LightsService

__all__ = [
    "ALERT_SECONDS",
    "COMMAND_PARAMS",
    "SEARCH_SECONDS",
    "Light",
    "LightNotFound",
    "LightTransport",
    "LightsService",
    "Outcome",
    "ParamResult",
    "StateRequest",
]
