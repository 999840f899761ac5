"""Handlers for the deCONZ touchlink endpoints (``spec/deconz-touchlink.md``).

HTTP only: find the service, call it, shape the answer. deCONZ answers the POSTs with
HTTP 200 and an empty body; our API answers JSON everywhere, so they get a deCONZ
success list. Unknown ids are error 3 (404); a busy radio 951, no radio 950 and a
radio that cannot do inter-PAN (RaspBee/ConBee) 950 with the reason, all HTTP 503 —
the dispatcher maps the radio exceptions. A target that does not answer the scan that
must precede identify/reset is error 202 (device not reachable), as for lights.
"""

from __future__ import annotations

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz.ids import resource_id
from gateway.api.deconz.routing import ApiRequest, error_response, json_response, success_item
from gateway.domain.radio import RadioUnavailable
from gateway.domain.touchlink import TouchlinkService, TouchlinkTargetSilent, TouchlinkTargetUnknown


def _service(api: ApiRequest) -> TouchlinkService:
    service = api.services.touchlink
    if service is None:
        raise RadioUnavailable("no Zigbee radio is configured")
    return service


async def start_scan(api: ApiRequest) -> Response:
    """``POST /touchlink/scan``: answered once the radio is ours; the scan runs on."""
    await _service(api).start_scan()
    return json_response([success_item("/touchlink/scan", "ok")], etag=False)


async def get_scan(api: ApiRequest) -> Response:
    return json_response(_service(api).status(), request=api.request)


async def identify(api: ApiRequest) -> Response:
    return await _target_command(api, "identify")


async def reset(api: ApiRequest) -> Response:
    return await _target_command(api, "reset")


async def _target_command(api: ApiRequest, command: str) -> Response:
    rid = api.param("id")
    if resource_id(rid) is None:
        raise errors.resource_not_available(f"/touchlink/{rid}")
    service = _service(api)
    try:
        if command == "identify":
            await service.identify(rid)
        else:
            await service.reset(rid)
    except TouchlinkTargetUnknown:
        raise errors.resource_not_available(f"/touchlink/{rid}") from None
    except TouchlinkTargetSilent:
        error = errors.device_not_reachable(f"/touchlink/{rid}")
        return error_response([error], hue_mode=api.hue_mode)
    return json_response([success_item(f"/touchlink/{rid}/{command}", "ok")], etag=False)
