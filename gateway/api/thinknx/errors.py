"""Every Thinknx error answer, built in one place.

The spec gives three bodies (``device not found``, ``params errors``, ``impossible to
execute``) and the statuses 400, 403, 404, 429 and 500. The other answers follow the same
``{"error": text}`` shape. "impossible to execute" is a 503: the gateway is fine, the KNX bus
cannot do it now (link down, no confirmation, no feedback, no answer); 500 stays for our own
bugs, as the spec says ("this error should not occur").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThinknxHttpError(Exception):
    """One error answer: HTTP status, the ``error`` text, optional headers and
    ``WWW-Authenticate`` challenges (one header each, so clients can pick a scheme)."""

    status: int
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)
    challenges: tuple[str, ...] = ()

    def body(self) -> dict[str, str]:
        return {"error": self.message}


def params_errors() -> ThinknxHttpError:
    return ThinknxHttpError(400, "params errors")


def device_not_found() -> ThinknxHttpError:
    return ThinknxHttpError(404, "device not found")


def impossible_to_execute() -> ThinknxHttpError:
    return ThinknxHttpError(503, "impossible to execute")


def authentication_required(challenges: tuple[str, ...]) -> ThinknxHttpError:
    return ThinknxHttpError(401, "authentication required", challenges=challenges)


def authentication_failed() -> ThinknxHttpError:
    return ThinknxHttpError(403, "authentication failed")


def rate_limited(retry_after: float) -> ThinknxHttpError:
    seconds = max(1, int(retry_after + 0.999))
    return ThinknxHttpError(429, "rate limit exceeded", {"Retry-After": str(seconds)})


def not_found() -> ThinknxHttpError:
    return ThinknxHttpError(404, "not found")


def method_not_allowed(allow: str) -> ThinknxHttpError:
    return ThinknxHttpError(405, "method not allowed", {"Allow": allow})


def internal_error() -> ThinknxHttpError:
    return ThinknxHttpError(500, "internal error")
