"""The Thinknx Integration Kit API (port 5051): ``/api/V1/...`` and ``/api/v1/...``.

``routes.py`` is the one table of every URL; ``app.py`` builds the Starlette app from it.
"""
