"""One application endpoint of a simulated device: its clusters, transitions, groups,
identify state and attribute reporting.

Why reporting lives here: several clusters change together (on/off and level in
``move_to_level_with_on_off``), and a real lamp with configured reporting sends one
Report Attributes frame per cluster after the change settles.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zigpy.zcl import foundation as f

from . import zcl
from .cluster import ClusterServer
from .scene_fields import Scene
from .transition import Ramp, Transition

if TYPE_CHECKING:
    from .device import SimDevice

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportConfig:
    """What Configure Reporting asked for one attribute (ZCL 2.5.7)."""

    min_interval: int
    max_interval: int
    change: float = 0.0

    def due(self, last: Any, value: Any) -> bool:
        """A change is reported when nothing was reported yet or it moved by at least
        the reportable change (discrete attributes: any change)."""
        if last is None:
            return True
        if isinstance(value, int | float) and isinstance(last, int | float) and self.change:
            return abs(value - last) >= self.change
        return bool(value != last)


class SimEndpoint:
    def __init__(self, device: SimDevice, endpoint_id: int) -> None:
        self.device = device
        self.endpoint_id = endpoint_id
        self.clusters: dict[int, ClusterServer] = {}
        self.client_clusters: dict[int, ClusterServer] = {}
        self.transitions: dict[int, Transition] = {}
        self.groups: dict[int, str] = {}
        #: (group id, scene id) -> scene; the Scenes server's table, kept here with the
        #: groups because Remove Group drops the group's scenes too.
        self.scenes: dict[tuple[int, int], Scene] = {}
        #: (cluster id, attribute name) -> what the coordinator configured
        self.reporting: dict[tuple[int, str], ReportConfig] = {}
        self.identify_until = 0.0
        self.effect: str | None = None
        self.effect_until = 0.0
        self.effect_count = 0
        self._pending: dict[int, set[str]] = {}
        self._reported: dict[tuple[int, str], Any] = {}
        self._flush: asyncio.Handle | None = None

    def add(self, server_cls: type[ClusterServer]) -> None:
        server = server_cls(self)
        self.clusters[server.cluster_id] = server

    def add_client(self, client_cls: type[ClusterServer]) -> None:
        client = client_cls(self)
        self.client_clusters[client.cluster_id] = client

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def cluster(self, cluster_id: int) -> ClusterServer | None:
        return self.clusters.get(cluster_id)

    def value(self, cluster_id: int, name: str, default: Any = None) -> Any:
        server = self.clusters.get(cluster_id)
        return default if server is None else server.get(name)

    # -- transitions --------------------------------------------------------------------
    def start_transition(
        self,
        cluster_id: int,
        ramps: dict[str, Ramp],
        seconds: float,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        """Moves attributes of one cluster to targets over ``seconds`` (0 = at once)."""
        self.stop_transition(cluster_id)
        server = self.clusters[cluster_id]
        if seconds <= 0:
            for name, ramp in ramps.items():
                server.set(name, ramp.target)
            if on_done is not None:
                on_done()
            return
        transition = Transition(cluster_id, ramps, self.now(), seconds, on_done)
        transition.handle = asyncio.get_running_loop().call_later(
            seconds, self._finish, cluster_id, transition
        )
        self.transitions[cluster_id] = transition
        LOGGER.debug("%s: transition %s", self.device.ieee, transition.describe(self.now()))

    def stop_transition(self, cluster_id: int) -> None:
        """Stops where it is: the intermediate values become the stored values."""
        transition = self.transitions.pop(cluster_id, None)
        if transition is None:
            return
        if transition.handle is not None:
            transition.handle.cancel()
        server = self.clusters[cluster_id]
        now = self.now()
        for name in transition.ramps:
            server.set(name, transition.value(name, now))

    def finish_all(self) -> None:
        """Jumps every transition to its end (used when state is saved or reloaded)."""
        for cluster_id, transition in list(self.transitions.items()):
            self._finish(cluster_id, transition)

    def _finish(self, cluster_id: int, transition: Transition) -> None:
        if self.transitions.get(cluster_id) is not transition:
            return
        del self.transitions[cluster_id]
        if transition.handle is not None:
            transition.handle.cancel()
        server = self.clusters[cluster_id]
        for name, ramp in transition.ramps.items():
            server.set(name, ramp.target)
        if transition.on_done is not None:
            transition.on_done()

    def configure_report(self, cluster_id: int, name: str, config: ReportConfig | None) -> None:
        """Configure Reporting: a maximum interval of 0xFFFF switches reporting off."""
        if config is None or config.max_interval == 0xFFFF:
            self.reporting.pop((cluster_id, name), None)
        else:
            self.reporting[(cluster_id, name)] = config

    def drop_scenes(self, group: int) -> None:
        """Forgets every scene of ``group`` (Remove Group and Remove All Scenes)."""
        for key in [k for k in self.scenes if k[0] == group]:
            del self.scenes[key]

    # -- identify -----------------------------------------------------------------------
    def identify(self, seconds: float, effect: str = "identify") -> None:
        now = self.now()
        self.identify_until = now + seconds if seconds > 0 else 0.0
        self.effect = effect if seconds > 0 else None
        self.effect_until = self.identify_until
        if seconds > 0:
            self.effect_count += 1
            LOGGER.info(
                "%s ep %d: %s for %.1f s", self.device.ieee, self.endpoint_id, effect, seconds
            )

    def identifying(self) -> bool:
        return self.now() < self.identify_until

    # -- reporting ----------------------------------------------------------------------
    def changed(self, cluster_id: int, name: str) -> None:
        """Queues a report; all changes made in one loop iteration share one frame."""
        if cluster_id in self.transitions and name in self.transitions[cluster_id].ramps:
            return
        self._pending.setdefault(cluster_id, set()).add(name)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_soon(self._send_reports)

    def _send_reports(self) -> None:
        self._flush = None
        pending, self._pending = self._pending, {}
        for cluster_id, names in pending.items():
            server = self.clusters[cluster_id]
            values: list[tuple[f.ZCLAttributeDef, Any]] = []
            for attr in server.definition.attributes.values():
                if attr.name not in names or attr.name not in server.reportable:
                    continue
                value = server.get(attr.name)
                if value is None or self._reported.get((cluster_id, attr.name)) == value:
                    continue
                values.append((attr, value))
            if values:
                self.device.send_zcl(
                    self.endpoint_id, cluster_id, zcl.report(self.device.next_tsn(), values)
                )
                for attr, value in values:
                    self._reported[(cluster_id, attr.name)] = value

    def forget_reported(self) -> None:
        """After a rejoin the coordinator may have missed reports; send fresh ones."""
        self._reported.clear()

    # -- state --------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        now = self.now()
        return {
            "endpoint": self.endpoint_id,
            "clusters": {
                f"0x{cid:04x}": {
                    "name": server.definition.ep_attribute,
                    "attributes": server.snapshot(),
                }
                for cid, server in sorted(self.clusters.items())
            },
            # A fade whose time is up is final even if its timer has not run yet.
            "transitions": [
                t.describe(now) for t in self.transitions.values() if t.remaining(now) > 0
            ],
            "groups": {f"0x{g:04x}": name for g, name in sorted(self.groups.items())},
            "scenes": [scene.as_dict() for _, scene in sorted(self.scenes.items())],
            "identifying": self.identifying(),
            "effect": self.effect if now < self.effect_until else None,
            "effect_count": self.effect_count,
        }
