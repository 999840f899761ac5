"""Attribute reports of the lights' zigpy clusters, turned into the lights service's state.

Why its own module: zigpy rebuilds its device objects on every reconnect, and a report
handler left on an old cluster object would never fire again (or fire for a light that
was deleted). Subscribing per light address, and dropping the subscriptions as a whole
when the application goes, keeps exactly one live handler per light. Every answer to a
read (``attribute_updated``) counts as a report too, in arrival order, so a refresh read
never overwrites a newer command's result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import zigpy.device
import zigpy.endpoint
from zigpy.zcl.clusters.general import LevelControl, OnOff
from zigpy.zcl.clusters.lighting import Color

from gateway.domain.lights.model import LightAddress
from gateway.zigbee import zcl

if TYPE_CHECKING:
    from gateway.domain.lights import LightsService

REPORTED_CLUSTERS = (OnOff.cluster_id, LevelControl.cluster_id, Color.cluster_id)
ATTRIBUTE_EVENTS = ("attribute_report", "attribute_updated")


class LightReports:
    """One set of cluster subscriptions per light address."""

    def __init__(self, service: Callable[[], LightsService | None]) -> None:
        self._service = service
        self._subscriptions: dict[LightAddress, list[Callable[[], None]]] = {}

    def attach(self, device: zigpy.device.Device, endpoint_id: int) -> None:
        """Follow the reports of ``device``'s endpoint (replacing an older subscription)."""
        address = zcl.address_of(device, endpoint_id)
        self.detach(address)
        endpoint = device.endpoints.get(endpoint_id)
        if not isinstance(endpoint, zigpy.endpoint.Endpoint):
            return
        unsubscribe: list[Callable[[], None]] = []
        for cluster_id in REPORTED_CLUSTERS:
            cluster = endpoint.in_clusters.get(cluster_id)
            if cluster is None:
                continue
            handler = self._handler(address, cluster)
            for event in ATTRIBUTE_EVENTS:
                unsubscribe.append(cluster.on_event(event, handler))
        self._subscriptions[address] = unsubscribe

    def detach(self, address: LightAddress) -> None:
        for unsubscribe in self._subscriptions.pop(address, []):
            unsubscribe()

    def detach_device(self, ieee: str) -> None:
        for address in [a for a in self._subscriptions if a.ieee == ieee]:
            self.detach(address)

    def detach_all(self) -> None:
        for address in list(self._subscriptions):
            self.detach(address)

    def _handler(self, address: LightAddress, cluster: Any) -> Callable[[Any], None]:
        def handle(event: Any) -> None:
            service = self._service()
            light = service.by_address(address) if service is not None else None
            if service is None or light is None:
                return
            changes = zcl.state_from_attribute(
                cluster, event.attribute_name, event.value, light.caps
            )
            if changes:
                service.observed(address, changes)

        return handle
