"""Routes serving the page: every asset from the package, nothing from a CDN.

Why plain files: the page is ES modules, HTML and CSS with no build step, so a Pi serves
exactly what is in the package (a few dozen KiB) and works without internet. HTML and
scripts are sent with ``Cache-Control: no-cache`` and an ETag: a browser revalidates
(a 304, cheap) and never runs a page older than the gateway it talks to.

``/description.xml`` is rendered per request from the current configuration (name, bridge
id), at the address the client used, so what SSDP points to is always up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).with_name("static")
NO_CACHE = {"Cache-Control": "no-cache"}

DESCRIPTION_PATH = "/description.xml"
# The UPnP description (XML) to show, given the host and port the client reached us at;
# the composition root renders it with discovery's own serializer, so SSDP and this route
# cannot disagree.
Describe = Callable[[str, int], bytes]


class StaticAssets(StaticFiles):
    """Static files that browsers revalidate instead of trusting a stale copy."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers.update(NO_CACHE)
        return response


def _page(name: str) -> Callable[[Request], object]:
    path = STATIC_DIR / name

    async def serve(request: Request) -> Response:
        return FileResponse(path, headers=NO_CACHE, media_type="text/html; charset=utf-8")

    return serve


def web_routes(describe: Describe) -> list[BaseRoute]:
    """Routes for ``build_deconz_app(extra_routes=...)``."""

    async def description(request: Request) -> Response:
        host = request.url.hostname or "127.0.0.1"
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        return Response(describe(host, port), media_type="text/xml; charset=utf-8")

    return [
        Route("/", _page("index.html"), methods=["GET", "HEAD"]),
        Route("/index.html", _page("index.html"), methods=["GET", "HEAD"]),
        Route("/docs", _page("docs.html"), methods=["GET", "HEAD"]),
        Route(DESCRIPTION_PATH, description, methods=["GET", "HEAD"]),
        Mount("/static", StaticAssets(directory=STATIC_DIR), name="static"),
    ]
