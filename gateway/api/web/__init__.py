"""The page for a person (``/``), the API description as a page (``/docs``), static assets,
and the UPnP description (``/description.xml``), as Starlette routes for the REST app.
"""

from gateway.api.web.routes import STATIC_DIR, web_routes

__all__ = ["STATIC_DIR", "web_routes"]
