"""Our backup extension of the deCONZ API (deCONZ has none over REST; Phoscon's is a file).

* ``GET  /api/<key>/backup`` — what a backup holds, and whether a restore is pending;
* ``GET  /api/<key>/backup/download`` — the archive (``application/gzip``, attachment);
* ``POST /api/<key>/backup/restore`` — the archive as the body; checked completely, then
  used at the next start (``gateway.backup``). A bad file is error 7 and changes nothing.

Absent service (not wired) → error 3, and the page hides its backup card.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.responses import Response

from gateway.api import errors
from gateway.api.deconz.routing import ApiRequest, ApiRoute, Operation, json_response
from gateway.api.deconz.schemas import OBJECT
from gateway.domain.backup import MAX_ARCHIVE_BYTES, BackupInvalid, BackupPort, BackupUnsupported


def _service(api: ApiRequest) -> BackupPort:
    service = api.services.backup
    if service is None:
        raise errors.resource_not_available(api.resource)
    return service


async def get_backup(api: ApiRequest) -> Response:
    return json_response(_service(api).info(), request=api.request)


async def download(api: ApiRequest) -> Response:
    service = _service(api)
    try:
        data = await service.create()
    except BackupUnsupported as exc:
        err = errors.ApiError(errors.PARAMETER_NOT_MODIFIABLE, api.resource, str(exc), 400)
        raise err from None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        data,
        media_type="application/gzip",
        headers={
            "Content-Disposition": f'attachment; filename="gateway-backup-{stamp}.tar.gz"',
            "Cache-Control": "no-store",
        },
    )


async def restore(api: ApiRequest) -> Response:
    service = _service(api)
    length = api.request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_ARCHIVE_BYTES:
        raise errors.invalid_value(api.resource, "body", "a file over 64 MiB")
    body = bytearray()
    async for chunk in api.request.stream():
        body.extend(chunk)
        if len(body) > MAX_ARCHIVE_BYTES:
            raise errors.invalid_value(api.resource, "body", "a file over 64 MiB")
    try:
        manifest = await service.stage_restore(bytes(body))
    except BackupInvalid as exc:
        raise errors.ApiError(errors.INVALID_VALUE, api.resource, str(exc), 400) from None
    return json_response(
        [{"success": {"/backup/restore": "pending restart", "files": manifest["files"]}}],
        etag=False,
    )


BACKUP_ROUTES = [
    ApiRoute(
        "/api/{apikey}/backup",
        {
            "GET": Operation(
                get_backup,
                "What a backup holds; whether a restore waits for the next start (extension)",
                response_schema=OBJECT,
                error_statuses=(304, 403, 404),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/backup/download",
        {
            "GET": Operation(
                download,
                "Download the database and the Zigbee network as one .tar.gz (extension)",
                error_statuses=(400, 403, 404),
            )
        },
    ),
    ApiRoute(
        "/api/{apikey}/backup/restore",
        {
            "POST": Operation(
                restore,
                "Upload a backup; it is checked, then used at the next start (extension)",
                response_schema={"type": "array"},
                error_statuses=(400, 403, 404),
            )
        },
    ),
]
