"""Group scenes as Hue v1 scene objects (``/api/<key>/scenes``).

Why apart from ``rendering``: these are a different client contract (phue's ``Scene``,
aiohue's v1 ``Scene`` read ``name``, ``lights``, ``owner``, ``recycle``, ``locked``,
``appdata``, ``picture``, ``lastupdated``, ``version``) over the same scenes the deCONZ
routes show under ``/groups/<id>/scenes``; there is one scene store, two views of it.

Choices (docs/groups.md, "Hue v1 /scenes"): the id is ``"<gid>-<sid>"``; ``type`` is the
one the client created (``GroupScene`` for scenes made through the deCONZ routes), and a
``GroupScene`` names its ``group``; ``lights`` are the lights the scene holds a state for;
``locked`` is always false (no schedules or rules use scenes here); ``version`` is 2 (the
light states are kept by the gateway, as a Hue bridge does since API 1.11); ``image``
(Hue 1.36, the id of the picture the Hue app shows for it; neither client library reads
it, both take it) only for a scene created with one, as a bridge shows it only for the
scenes the Hue app made from Signify's pictures.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.groups.records import Group, Scene

HUE_SCENE_VERSION = 2
SCENE_TYPES = ("GroupScene", "LightScene")


def hue_lightstate(state: dict[str, Any], transitiontime: int) -> dict[str, Any]:
    """One light's stored state in Hue's shape: ``on``, ``bri`` and the colour of its mode."""
    shown: dict[str, Any] = {"on": bool(state.get("on"))}
    for key in ("bri", "ct", "hue", "sat"):
        if key in state:
            shown[key] = state[key]
    if "xy" in state:
        shown["xy"] = list(state["xy"])
    shown["transitiontime"] = transitiontime
    return shown


def render_hue_scene(group: Group, scene: Scene, *, lightstates: bool) -> dict[str, Any]:
    meta = scene.meta
    kind = meta.get("type", "GroupScene")
    body: dict[str, Any] = {
        "appdata": dict(meta.get("appdata", {})),
        "lastupdated": meta.get("lastupdated"),
        "lights": sorted(scene.states, key=int),
        "locked": False,
        "name": scene.name,
        "owner": meta.get("owner", ""),
        "picture": meta.get("picture", ""),
        "recycle": bool(meta.get("recycle", False)),
        "type": kind,
        "version": HUE_SCENE_VERSION,
    }
    if kind == "GroupScene":
        body["group"] = group.rid
    if "image" in meta:
        body["image"] = meta["image"]
    if lightstates:
        body["lightstates"] = {
            light_id: hue_lightstate(scene.states[light_id], scene.transitiontime)
            for light_id in body["lights"]
        }
    return body


def render_hue_scenes(scenes: list[tuple[Group, Scene]]) -> dict[str, Any]:
    """``GET /scenes`` (and the ``scenes`` of the full state): without light states."""
    return {scene.hue_id: render_hue_scene(g, scene, lightstates=False) for g, scene in scenes}
