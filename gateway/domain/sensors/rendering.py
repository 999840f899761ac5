"""The sensor object of the deCONZ API (``GET /sensors/<id>``) and its ``etag``.

Why apart: the same object is the body of ``GET /sensors/<id>``, an entry of
``GET /sensors`` and of the full state, and the ``sensor`` of an ``added`` websocket
event; pydeconz builds its sensor objects from exactly these keys.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gateway.domain.sensors.records import Sensor


def render(sensor: Sensor) -> dict[str, Any]:
    body = sensor.attributes()
    body["config"] = dict(sensor.config)
    body["state"] = dict(sensor.state)
    digest = hashlib.md5(
        json.dumps(body, sort_keys=True).encode(), usedforsecurity=False
    ).hexdigest()
    body["etag"] = digest
    return dict(sorted(body.items()))
