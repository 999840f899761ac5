"""The deCONZ REST API (Hue v1 compatible): routes in ``routes.py``, one module per resource."""
