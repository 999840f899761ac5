"""Steps the Hue v1 ``/scenes`` tests share: a group, a scene made through the API, and
what the fake radio was asked to store in the lamps."""

from __future__ import annotations

from typing import Any

import httpx


def error(r: httpx.Response) -> dict[str, Any]:
    """The first error item of a deCONZ error list."""
    item: dict[str, Any] = r.json()[0]["error"]
    return item


async def new_group(rig: Any, name: str, lights: list[str]) -> str:
    r = await rig.client.post(rig.url("/groups"), json={"name": name, "lights": lights})
    return str(r.json()[0]["success"]["id"])


async def post_scene(rig: Any, body: dict[str, Any]) -> str:
    r = await rig.client.post(rig.url("/scenes"), json=body)
    assert r.status_code == 200, r.text
    return str(r.json()[0]["success"]["id"])


def stores(rig: Any) -> list[tuple[Any, ...]]:
    """The scene ``store`` calls the lamps received, in order."""
    return [c for c in rig.transport.scene_calls if c[0] == "store"]
