"""Handlers for the deCONZ configuration endpoints (``spec/deconz-configuration.md``)."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from starlette.responses import Response

from gateway import __version__
from gateway.api import errors
from gateway.api.deconz import params
from gateway.api.deconz.password import (
    Throttled,
    check_throttled,
    from_loopback,
    throttled_response,
)
from gateway.api.deconz.routing import ApiRequest, json_response, success_item
from gateway.clock import utcnow
from gateway.domain.apikeys import ApiClient, is_hue_devicetype
from gateway.domain.config import MAX_UNLOCK_S, SUPPORTED_CHANNELS

API_VERSION = "1.16.0"
DATASTORE_VERSION = "93"
MODEL_ID = "deCONZ"
USERNAME_RE = re.compile(r"^[A-Za-z0-9._~-]{10,40}$")


def iso(moment: datetime) -> str:
    """ISO 8601 without fractional seconds or offset, as deCONZ prints times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


# -- POST /api ---------------------------------------------------------------------------


async def _may_create_key(api: ApiRequest) -> bool:
    """Unlocked, local (if allowed) or the admin password; guessers are throttled first."""
    services = api.services
    if services.config.unlocked:
        return True
    local = from_loopback(api)
    if services.allow_local_apikey and local:
        return True
    auth = api.request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "basic":
        return False
    return await check_throttled(api, lambda: services.config.check_admin_token(token, local=local))


async def create_api_key(api: ApiRequest) -> Response:
    """``POST /api``: register an app, if unlocked or with the admin password."""
    try:
        body: dict[str, Any] | None = await api.json_object("/")
    except errors.ApiError:
        body = None
    hue_mode = body is not None and is_hue_devicetype(str(body.get("devicetype", "")))

    def fail(err: errors.ApiError) -> Response:
        return json_response([err.item()], errors.error_status([err], hue_mode), etag=False)

    try:
        may_create = await _may_create_key(api)
    except Throttled as throttled:
        return throttled_response("/", throttled.wait, hue_mode=hue_mode)
    if not may_create:
        return fail(errors.link_button_not_pressed())
    if body is None:
        return fail(errors.invalid_json("/"))
    if "devicetype" not in body:
        return fail(errors.missing_parameters("/"))
    devicetype = body["devicetype"]
    if not isinstance(devicetype, str) or len(devicetype) > 40:
        return fail(errors.invalid_value("/", "devicetype", devicetype))
    username = body.get("username")
    if "username" in body and (not isinstance(username, str) or not USERNAME_RE.match(username)):
        return fail(errors.invalid_value("/", "username", username))
    key = await api.services.api_keys.create(devicetype, username)
    return json_response([{"success": {"username": key}}], etag=False)


# -- GET /api/config, GET /api/<key>, GET /api/<key>/config --------------------------------


def public_config(api: ApiRequest) -> dict[str, Any]:
    config = api.services.config
    return {
        "apiversion": API_VERSION,
        "bridgeid": config.bridgeid,
        "datastoreversion": DATASTORE_VERSION,
        "factorynew": False,
        "mac": config.system_info().mac,
        "modelid": MODEL_ID,
        "name": config.current.name,
        "replacesbridgeid": None,
        "starterkitid": "",
        "swversion": __version__,
    }


def _whitelist(clients: list[ApiClient]) -> dict[str, Any]:
    return {
        c.key_id: {
            "create date": iso(c.created_at),
            "last use date": iso(c.last_used_at),
            "name": c.devicetype,
        }
        for c in clients
    }


def full_config(api: ApiRequest) -> dict[str, Any]:
    services = api.services
    config = services.config
    stored = config.current
    info = config.system_info()
    snap = config.network_snapshot()
    network = services.config.network
    now = utcnow()
    body = public_config(api)
    body.update(
        {
            "dhcp": info.dhcp,
            "discovery": stored.discovery,
            "fwversion": (snap.firmware_version if snap else None) or "",
            "gateway": info.gateway,
            "groupdelay": stored.groupdelay,
            "ipaddress": info.ipaddress,
            "linkbutton": config.unlocked,
            "localtime": iso(config.localtime(now)),
            "netmask": info.netmask,
            "networkopenduration": stored.networkopenduration,
            "otauactive": stored.otauactive,
            "panid": snap.pan_id if snap else 0,
            "permitjoin": config.permitjoin,
            "portalservices": False,
            "proxyaddress": "",
            "proxyport": 0,
            "rfconnected": stored.rfconnected and network is not None and network.reachable,
            "swupdate": {"notify": False, "text": "", "updatestate": 0, "url": ""},
            "timeformat": stored.timeformat,
            "timezone": stored.timezone,
            "updatechannel": stored.updatechannel,
            "utc": iso(now),
            "uuid": stored.uuid,
            "websocketnotifyall": stored.websocketnotifyall,
            "websocketport": services.websocket_port,
            "whitelist": _whitelist(services.api_keys.clients()),
            "zigbeechannel": config.zigbeechannel,
        }
    )
    return body


async def get_public_config(api: ApiRequest) -> Response:
    return json_response(public_config(api), request=api.request)


async def get_config(api: ApiRequest) -> Response:
    return json_response(full_config(api), request=api.request)


async def get_full_state(api: ApiRequest) -> Response:
    sections = api.services.sections()
    names = list(sections)
    values = await asyncio.gather(*(sections[n]() for n in names))
    body: dict[str, Any] = {"config": full_config(api)}
    body.update(dict(zip(names, values, strict=True)))
    return json_response(body, request=api.request)


# -- PUT /api/<key>/config ---------------------------------------------------------------

# A parameter is either stored as it is, or carried out by an action (radio, unlock).
Action = Callable[[ApiRequest, Any], Awaitable[None]]


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


async def _unlock(api: ApiRequest, value: Any) -> None:
    api.services.config.unlock(value)


async def _permitjoin(api: ApiRequest, value: Any) -> None:
    await api.services.config.set_permitjoin(value)


async def _zigbeechannel(api: ApiRequest, value: Any) -> None:
    await api.services.config.set_zigbeechannel(value)


_A = "/config"


def _check(kind: str, *args: Any) -> Callable[[str, Any], Any]:
    """A validator for one parameter: ``(name, value) -> value`` or error 7."""
    check = getattr(params, kind)
    return lambda name, value: check(value, f"{_A}/{name}", name, *args)


# name -> (validator, action or None when the value is simply stored)
WRITABLE: dict[str, tuple[Callable[[str, Any], Any], Action | None]] = {
    "name": (_check("as_str", 0, 16), None),
    "rfconnected": (_check("as_bool"), None),
    "updatechannel": (_check("as_choice", ("stable", "alpha", "beta")), None),
    "permitjoin": (_check("as_int", 0, 255), _permitjoin),
    "groupdelay": (_check("as_int", 0, 5000), None),
    "otauactive": (_check("as_bool"), None),
    "discovery": (_check("as_bool"), None),
    "unlock": (_check("as_int", 0, MAX_UNLOCK_S), _unlock),
    "zigbeechannel": (_check("as_choice", SUPPORTED_CHANNELS), _zigbeechannel),
    "timeformat": (_check("as_choice", ("12h", "24h")), None),
    "networkopenduration": (_check("as_int", 0, 65535), None),
    "websocketnotifyall": (_check("as_bool"), None),
    # timezone is checked against the zone database in put_config (read from disk once).
    "timezone": (_check("as_str", 1, 64), None),
}

# Fields the GET shows but a client cannot set. ``utc`` is in the spec as settable "on a
# Raspberry Pi"; this gateway keeps the clock by NTP and runs without CAP_SYS_TIME, so it
# answers error 8 with the reason instead of pretending.
READ_ONLY = {
    "apiversion",
    "bridgeid",
    "datastoreversion",
    "dhcp",
    "factorynew",
    "fwversion",
    "gateway",
    "ipaddress",
    "linkbutton",
    "localtime",
    "mac",
    "modelid",
    "netmask",
    "panid",
    "portalservices",
    "proxyaddress",
    "proxyport",
    "replacesbridgeid",
    "starterkitid",
    "swupdate",
    "swversion",
    "utc",
    "uuid",
    "websocketport",
    "whitelist",
}
UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


async def put_config(api: ApiRequest) -> Response:
    """Validate every parameter first; change nothing unless all are valid.

    Actions that can fail for outside reasons (the radio) run before the stored fields are
    committed in one transaction, so a 503 from the radio leaves the configuration as it was.
    """
    body = await api.json_object(_A)
    if not body:
        raise errors.invalid_json(_A)
    problems: list[errors.ApiError] = []
    accepted: list[tuple[str, Any]] = []
    for name, value in body.items():
        address = f"{_A}/{name}"
        try:
            if name == "utc":
                if not isinstance(value, str) or not UTC_RE.match(value):
                    raise errors.invalid_value(address, name, value)
                raise errors.parameter_not_modifiable(
                    address, name, "The gateway keeps UTC time by NTP"
                )
            if name in READ_ONLY:
                raise errors.parameter_not_modifiable(address, name)
            if name not in WRITABLE:
                raise errors.parameter_not_available(address, name)
            checked = WRITABLE[name][0](name, value)
            if name == "timezone" and checked not in await asyncio.to_thread(_timezones):
                raise errors.invalid_value(address, name, value)
            accepted.append((name, checked))
        except errors.ApiError as exc:
            problems.append(exc)
    if problems:
        return json_response(
            [p.item() for p in problems], errors.error_status(problems, api.hue_mode), etag=False
        )
    stored: dict[str, Any] = {}
    for name, value in accepted:
        action = WRITABLE[name][1]
        if action is None:
            stored[name] = value
        else:
            await action(api, value)
    if stored:
        await api.services.config.update(**stored)
    return json_response([success_item(f"{_A}/{name}", value) for name, value in accepted])


# -- whitelist, reset, update (the admin password: password.py) -----------------------------


async def delete_whitelist_entry(api: ApiRequest) -> Response:
    other = api.param("apikey2")
    keys = api.services.api_keys
    target = keys.find(other)
    if target is None:
        raise errors.resource_not_available(f"/config/whitelist/{other}")
    await keys.delete(target)
    return json_response([{"success": f"/config/whitelist/{other} deleted."}], etag=False)


async def post_reset(api: ApiRequest) -> Response:
    address = "/config/reset"
    body = await api.json_object(address)
    unknown = [k for k in body if k not in ("resetGW", "deleteDB")]
    if unknown:
        raise errors.parameter_not_available(address, unknown[0])
    if "resetGW" not in body and "deleteDB" not in body:
        raise errors.missing_parameters(address)
    reset_gw = params.as_bool(body.get("resetGW", False), address, "resetGW")
    delete_db = params.as_bool(body.get("deleteDB", False), address, "deleteDB")
    await api.services.config.reset(reset_gateway=reset_gw, delete_db=delete_db)
    return json_response({"success": {address: "success"}}, etag=False)


async def post_update(api: ApiRequest) -> Response:
    """The newest software version we know of: ours (updates come with the Pi image)."""
    return json_response({"success": {"/config/update": __version__}}, etag=False)


async def post_update_firmware(api: ApiRequest) -> Response:
    """The coordinator firmware in use; 503 when the radio is not there to ask."""
    snap = api.services.config.network_snapshot()
    network = api.services.config.network
    if snap is None or network is None or not network.reachable or not snap.firmware_version:
        raise errors.ApiError(
            errors.NOT_CONNECTED,
            "/config/updatefirmware",
            "Not connected: no coordinator firmware to update",
            503,
        )
    return json_response({"success": {"/config/updatefirmware": snap.firmware_version}}, etag=False)
