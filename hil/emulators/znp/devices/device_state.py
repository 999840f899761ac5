"""A simulated device's state as saved, restored and shown, and as it powers up.

Why apart from :class:`~.device.SimDevice`: the emulator's state file and its ``device``
control answer read a device from outside; keeping the format here keeps the device
module about the device's behaviour on the air.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy.zdo.types as zdo_t

from .membership import Membership
from .scene_fields import Scene
from .spec import LEVEL, ON_OFF

if TYPE_CHECKING:
    from .device import SimDevice
    from .endpoint import SimEndpoint


def to_state(device: SimDevice) -> dict[str, Any]:
    """Saved values; a fade in progress is saved at its end value, as a lamp that
    loses power mid-fade comes back at the level it was told."""
    endpoint = device.endpoint
    clusters: dict[str, dict[str, Any]] = {}
    for cid, server in endpoint.clusters.items():
        values = dict(server.values)
        transition = endpoint.transitions.get(cid)
        if transition is not None:
            values.update({name: r.target for name, r in transition.ramps.items()})
        clusters[f"0x{cid:04x}"] = values
    return {
        "online": device.online,
        "channel": device.channel,
        "membership": None if device.membership is None else device.membership.as_dict(),
        "clusters": clusters,
        "groups": {f"0x{g:04x}": name for g, name in endpoint.groups.items()},
        "scenes": [scene.as_dict() for scene in endpoint.scenes.values()],
        "bindings": [bytes(b.serialize()).hex() for b in device.bindings()],
    }


def load_state(device: SimDevice, data: dict[str, Any]) -> None:
    device.online = bool(data.get("online", device.online))
    device.channel = int(data.get("channel", device.channel))
    membership = data.get("membership")
    device.membership = None if membership is None else Membership.from_dict(membership)
    endpoint = device.endpoint
    for key, values in data.get("clusters", {}).items():
        server = endpoint.clusters.get(int(key, 16))
        if server is not None:
            server.restore(values)
    endpoint.groups = {int(k, 16): str(v) for k, v in data.get("groups", {}).items()}
    scenes = [Scene.from_dict(item) for item in data.get("scenes", [])]
    endpoint.scenes = {(s.group, s.scene_id): s for s in scenes}
    device.set_bindings(
        [zdo_t.Binding.deserialize(bytes.fromhex(raw))[0] for raw in data.get("bindings", [])]
    )


def snapshot(device: SimDevice) -> dict[str, Any]:
    air = device.air
    reachable = air.reachable(device) if air else False
    coordinator = air.coordinator if air else None
    member = (
        coordinator is not None
        and device.network is not None
        and device.network == coordinator.air_network
    )
    spec = device.spec
    return {
        "ieee": str(device.ieee),
        "kind": str(spec.kind),
        "manufacturer": spec.manufacturer,
        "model": spec.model,
        "online": device.online,
        "channel": device.channel,
        "factory_new": device.factory_new,
        "joined": member,
        "reachable": reachable,
        "nwk": None if device.nwk is None else f"0x{device.nwk:04x}",
        "network": None if device.membership is None else device.membership.as_dict(),
        "frames_received": device.frames_received,
        **device.endpoint.snapshot(),
    }


def power_up(endpoint: SimEndpoint) -> None:
    """The ZCL start-up attributes (StartUpOnOff, StartUpCurrentLevel) after power returns."""
    onoff = endpoint.cluster(ON_OFF)
    if onoff is not None:
        start_up = int(onoff.values.get("start_up_on_off", 0xFF))
        if start_up in (0, 1):
            onoff.values["on_off"] = bool(start_up)
        elif start_up == 2:
            onoff.values["on_off"] = not onoff.values["on_off"]
    level = endpoint.cluster(LEVEL)
    if level is not None:
        start_level = int(level.values.get("start_up_current_level", 0xFF))
        if start_level not in (0xFF,):
            level.values["current_level"] = max(start_level, 1)
