"""The admin password over the deCONZ API: checking it under throttling, changing, resetting.

Why one module: ``POST /api`` (Basic credentials) and ``PUT config/password`` (``oldhash``)
both check the admin password, and a guesser must not get a second, unthrottled door. Both
go through :func:`check_throttled`, which spends the same per-address and global budget
(``services.guesses``, :mod:`gateway.api.guessing`): five wrong passwords on either route,
then 429 with ``Retry-After`` on both, without checking the password.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz.routing import ApiRequest, json_response
from gateway.api.guessing import retry_after_header
from gateway.domain.config import PasswordError, PasswordResetNotLocal, PasswordResetWindowClosed

ADDRESS = "/config/password"
FIELDS = ("username", "oldhash", "newhash")


def from_loopback(api: ApiRequest) -> bool:
    """A request made on the gateway itself (peer and Host both loopback)."""
    client = api.request.client
    host = api.request.headers.get("host", "").rsplit(":", 1)[0].strip("[]")
    try:
        peer_is_local = client is not None and ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        peer_is_local = False
    return peer_is_local and host in ("127.0.0.1", "localhost", "::1")


class Throttled(Exception):
    """The client must wait ``wait`` seconds before its password is checked again."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


def _client(api: ApiRequest) -> str:
    return api.request.client.host if api.request.client else "-"


async def check_throttled(api: ApiRequest, check: Callable[[], Awaitable[bool]]) -> bool:
    """Run one password ``check`` under the guess budget of the client's address.

    Raises :class:`Throttled` *before* the check while the client (or the gateway) must
    wait, so a throttled attempt costs no scrypt and learns nothing, not even from a right
    password. A failed check counts as a guess; a right one starts the count again.
    """
    guesses = api.services.guesses
    client = _client(api)
    wait = guesses.retry_after(client)
    if wait > 0:
        raise Throttled(wait)
    if await check():
        guesses.succeeded(client)
        return True
    guesses.failed(client)
    return False


def throttled_response(address: str, wait: float, *, hue_mode: bool) -> Response:
    """429 with ``Retry-After`` in deCONZ's error format.

    deCONZ has no "too many requests" error: the type stays 101 (as ``POST /api`` answers
    without a key), the status and ``Retry-After`` say when to come back. Hue clients get
    HTTP 200 with the same body, as for every error.
    """
    retry = retry_after_header(wait)
    why = f"too many failed password attempts; retry in {retry['Retry-After']} s"
    err = errors.ApiError(errors.LINK_BUTTON_NOT_PRESSED, address, why, 429)
    response = json_response([err.item()], errors.error_status([err], hue_mode), etag=False)
    response.headers.update(retry)
    return response


# -- PUT /api/<key>/config/password ----------------------------------------------------------


def _password_body(body: dict[str, Any]) -> tuple[str, str, str]:
    """The three strings deCONZ's password change takes, or errors 5, 6 or 7."""
    if not all(k in body for k in FIELDS):
        raise errors.missing_parameters(ADDRESS)
    unknown = [k for k in body if k not in FIELDS]
    if unknown:
        raise errors.parameter_not_available(ADDRESS, unknown[0])
    for name in FIELDS:
        if not isinstance(body[name], str):
            raise errors.invalid_value(ADDRESS, name, body[name])
    return body["username"], body["oldhash"], body["newhash"]


async def put_password(api: ApiRequest) -> Response:
    """Change the admin password, given the old one: a password check like ``POST /api``'s.

    A wrong user or old password counts as a failed guess; the check of a bad *new*
    password comes after the old one matched, so it counts as a right one.
    """
    username, oldhash, newhash = _password_body(await api.json_object(ADDRESS))
    refused: list[PasswordError] = []

    async def change() -> bool:
        try:
            await api.services.config.change_password(
                username, oldhash, newhash, local=from_loopback(api)
            )
        except PasswordError as exc:
            refused.append(exc)
            return exc.field == "newhash"
        return True

    try:
        await check_throttled(api, change)
    except Throttled as throttled:
        return throttled_response(ADDRESS, throttled.wait, hue_mode=api.hue_mode)
    if refused:
        field = refused[0].field
        value = {"username": username, "oldhash": oldhash, "newhash": newhash}[field]
        # deCONZ answers a wrong user or old password with 401, a bad new one with 400.
        status = 400 if field == "newhash" else 401
        description = f"invalid value, {value}, for parameter, {field}"
        raise errors.ApiError(errors.INVALID_VALUE, ADDRESS, description, status)
    return json_response({"success": {ADDRESS: "changed"}}, etag=False)


# -- DELETE /api/<key>/config/password -------------------------------------------------------


async def delete_password(api: ApiRequest) -> Response:
    """A new random admin password, only from the gateway itself within 10 min of start."""
    try:
        await api.services.config.reset_password(local=from_loopback(api))
    except PasswordResetNotLocal:
        raise errors.ApiError(
            errors.UNAUTHORIZED_USER,
            ADDRESS,
            "the admin password can only be reset on the gateway itself: gateway password reset",
            403,
        ) from None
    except PasswordResetWindowClosed:
        raise errors.unauthorized_user(ADDRESS) from None
    return json_response({}, etag=False)
