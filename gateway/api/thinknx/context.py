"""What the Thinknx handlers are given: the domain services and the HTTP-side helpers.

The domain types are imported for type checking only: the HTTP layer calls them but never
loads xknx or SQLAlchemy itself; the composition root (``gateway.knx.wiring``) builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gateway.api.thinknx.auth import Authenticator
from gateway.api.thinknx.clients import ClientTracker, RateLimiter
from gateway.api.thinknx.params import Params

if TYPE_CHECKING:
    from gateway.knx.devices import DeviceService
    from gateway.knx.system import ServerInfo, SystemCommands


@dataclass
class ThinknxServices:
    """Everything a Thinknx request may use."""

    devices: DeviceService
    system: SystemCommands
    server: ServerInfo
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
