"""What the Thinknx handlers are given: the domain services and the HTTP-side helpers.

The services are typed by the ports in ``gateway.domain.thinknx``: the HTTP layer calls
them but never loads xknx or SQLAlchemy itself; the composition root
(``gateway.app.knx_side``) hands it the KNX side's implementations.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.api.thinknx.auth import Authenticator
from gateway.api.thinknx.clients import ClientTracker, RateLimiter
from gateway.api.thinknx.params import Params
from gateway.domain.thinknx import DeviceControl, RawSender, ServerInfoSource


@dataclass
class ThinknxServices:
    """Everything a Thinknx request may use."""

    devices: DeviceControl
    system: RawSender
    server: ServerInfoSource
    authenticator: Authenticator
    limiter: RateLimiter
    clients: ClientTracker


@dataclass(frozen=True)
class ThinknxCall:
    """One authenticated request as a handler sees it."""

    params: Params
    services: ThinknxServices
    namespace: str  # the controller path, e.g. "powerstatus" or "system/sendKNXbit"
    user: str
