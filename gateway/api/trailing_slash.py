"""Accept a trailing slash on every route, as a Hue bridge and deCONZ do.

Why a middleware instead of a second path per route: aiohue asks for ``/api/<key>/`` and
phue for ``/api/<key>/lights/``; both must reach the handler of the path without the
slash, while the routes table (and ``/openapi.json`` made from it) keeps one path per
resource. Starlette's own ``redirect_slashes`` answers with a redirect, which neither a
PUT from phue nor aiohue's client follows with its body, so the path is rewritten instead.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class StripTrailingSlash:
    """Removes one trailing slash from the request path (never from ``/`` itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope.get("path", "")
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path[:-1]
                raw = scope.get("raw_path")
                if isinstance(raw, bytes) and raw.endswith(b"/"):
                    scope["raw_path"] = raw[:-1]
        await self.app(scope, receive, send)
