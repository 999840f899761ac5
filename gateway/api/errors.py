"""Every deCONZ / Hue v1 error the REST API can answer, built in one place.

Why one module: deCONZ and Hue clients match on the error ``type`` and often on the exact
``description`` text, so the strings below follow the deCONZ REST plugin word for word.
A handler raises :class:`ApiError` (or returns several in a list); the dispatcher turns
them into ``[{"error": {"type", "address", "description"}}]`` with the HTTP status below,
except for Hue clients, which get HTTP 200 with the same body, as from a Hue bridge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

UNAUTHORIZED_USER = 1
INVALID_JSON = 2
RESOURCE_NOT_AVAILABLE = 3
METHOD_NOT_AVAILABLE = 4
MISSING_PARAMETER = 5
PARAMETER_NOT_AVAILABLE = 6
INVALID_VALUE = 7
PARAMETER_NOT_MODIFIABLE = 8
LINK_BUTTON_NOT_PRESSED = 101
DEVICE_OFF = 201
DEVICE_NOT_REACHABLE = 202
INTERNAL_ERROR = 901
NOT_CONNECTED = 950
BRIDGE_BUSY = 951


@dataclass(frozen=True)
class ApiError(Exception):
    """One deCONZ error item; raise it from a handler or collect several in a list."""

    type: int
    address: str
    description: str
    status: int = 400

    def item(self) -> dict[str, Any]:
        return {
            "error": {"type": self.type, "address": self.address, "description": self.description}
        }


def format_value(value: Any) -> str:
    """Render a client's value inside a description the way deCONZ prints it."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def unauthorized_user(address: str) -> ApiError:
    return ApiError(UNAUTHORIZED_USER, address, "unauthorized user", 403)


def invalid_json(address: str = "/") -> ApiError:
    return ApiError(INVALID_JSON, address, "body contains invalid JSON", 400)


def resource_not_available(resource: str) -> ApiError:
    return ApiError(RESOURCE_NOT_AVAILABLE, resource, f"resource, {resource}, not available", 404)


def method_not_available(method: str, resource: str) -> ApiError:
    return ApiError(
        METHOD_NOT_AVAILABLE,
        resource,
        f"method, {method}, not available for resource, {resource}",
        405,
    )


def missing_parameters(address: str) -> ApiError:
    return ApiError(MISSING_PARAMETER, address, "missing parameters in body", 400)


def parameter_not_available(address: str, name: str) -> ApiError:
    return ApiError(PARAMETER_NOT_AVAILABLE, address, f"parameter, {name}, not available", 400)


def invalid_value(address: str, name: str, value: Any) -> ApiError:
    return ApiError(
        INVALID_VALUE,
        address,
        f"invalid value, {format_value(value)}, for parameter, {name}",
        400,
    )


def parameter_not_modifiable(address: str, name: str, why: str = "") -> ApiError:
    text = f"parameter, {name}, is not modifiable"
    return ApiError(PARAMETER_NOT_MODIFIABLE, address, f"{text}. {why}" if why else text, 400)


def link_button_not_pressed() -> ApiError:
    return ApiError(LINK_BUTTON_NOT_PRESSED, "/", "link button not pressed", 403)


def device_off(address: str, name: str) -> ApiError:
    return ApiError(
        DEVICE_OFF, address, f"parameter, {name}, is not modifiable. Device is set to off.", 400
    )


def device_not_reachable(resource: str) -> ApiError:
    # deCONZ answers this with HTTP 200 and the error in the list; so do we.
    return ApiError(
        DEVICE_NOT_REACHABLE,
        resource,
        f"resource, {resource}, is not modifiable. Device is not reachable.",
        200,
    )


def not_connected(address: str, why: str = "Not connected") -> ApiError:
    return ApiError(NOT_CONNECTED, address, why, 503)


def bridge_busy(address: str, operation: str) -> ApiError:
    return ApiError(BRIDGE_BUSY, address, f"Bridge busy: {operation} in progress", 503)


def internal_error(address: str, description: str, status: int = 500) -> ApiError:
    return ApiError(INTERNAL_ERROR, address, description, status)


def error_status(errors: list[ApiError], hue_mode: bool) -> int:
    """The HTTP status for a list of errors: the first one's, or 200 for Hue clients."""
    if hue_mode or not errors:
        return 200
    return errors[0].status
