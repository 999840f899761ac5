"""Battery-powered sleepy end devices: remotes and sensors.

Three things set them apart from the lamps, and all three matter to a gateway:

* **They sleep.** After joining, after any event (a press, motion ...) and after every
  frame they hear, they stay awake for ``spec.awake_time`` seconds; then they only poll
  their parent every ``spec.poll_interval`` seconds. The coordinator holds frames for a
  sleeping child (see ``outbound.py``) until its next poll, at most the MAC
  transaction persistence time (7.68 s); later polls mean the frame expires and the
  host gets ``MAC_TRANSACTION_EXPIRED``. So reads are answered while awake, or when
  the next poll comes soon enough, never otherwise.
* **They speak only when spoken to.** Attribute reports go out only for attributes the
  coordinator configured with Configure Reporting *and* only to the destinations of a
  ZDO binding of that cluster. Remotes send their commands to their bindings (the IKEA
  remote, unbound, to its own group, as it does out of the box); an IAS zone notifies
  its CIE only after enrolment.
* **They have several endpoints** (Hue dimmer and motion sensor: ZLL on 1, HA on 2),
  laid out in ``sensor_kinds.py``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import zigpy.types as zt
import zigpy.zdo.types as zdo_t

from .. import zdo
from . import zcl
from .buttons import button_frames
from .cluster import ClusterServer
from .device import SERVERS, SimDevice
from .endpoint import ReportConfig, SimEndpoint
from .measurement import (
    HumidityServer,
    IasZoneServer,
    IlluminanceServer,
    OccupancyServer,
    PowerConfigurationServer,
    TemperatureServer,
)
from .sensor_kinds import LAYOUTS, EndpointLayout
from .spec import DeviceKind, DeviceSpec

LOGGER = logging.getLogger(__name__)

SENSOR_SERVERS: dict[int, type[ClusterServer]] = {
    0x0000: SERVERS[0x0000],  # Basic
    0x0003: SERVERS[0x0003],  # Identify
    0x0001: PowerConfigurationServer,
    0x0400: IlluminanceServer,
    0x0402: TemperatureServer,
    0x0405: HumidityServer,
    0x0406: OccupancyServer,
    0x0500: IasZoneServer,
}

#: Device_annce capabilities of a battery end device: allocate address only.
END_DEVICE_CAPABILITIES = 0x80


class SensorEndpoint(SimEndpoint):
    """Reports what was configured, to where it is bound, nothing else: on a change by
    at least the reportable change, and at the latest every maximum interval (the
    minimum interval is not enforced)."""

    def __init__(self, device: Any, endpoint_id: int) -> None:
        super().__init__(device, endpoint_id)
        self._periodic: dict[tuple[int, str], asyncio.TimerHandle] = {}

    def configure_report(self, cluster_id: int, name: str, config: ReportConfig | None) -> None:
        super().configure_report(cluster_id, name, config)
        self.arm(cluster_id, name)

    def arm(self, cluster_id: int, name: str) -> None:
        """(Re)starts the maximum-interval timer of one configured attribute."""
        handle = self._periodic.pop((cluster_id, name), None)
        if handle is not None:
            handle.cancel()
        config = self.reporting.get((cluster_id, name))
        if config is not None and 0 < config.max_interval < 0xFFFF:
            self._periodic[(cluster_id, name)] = self.device.later(
                config.max_interval, self._periodic_report, cluster_id, name
            )

    def arm_all(self) -> None:
        for cluster_id, name in list(self.reporting):
            self.arm(cluster_id, name)

    def _periodic_report(self, cluster_id: int, name: str) -> None:
        self._periodic.pop((cluster_id, name), None)
        server = self.clusters.get(cluster_id)
        value = None if server is None else server.get(name)
        if server is not None and value is not None:
            attr = server.definition.attributes_by_name[name]
            self._report(cluster_id, [(attr, value)])
        self.arm(cluster_id, name)

    def _report(self, cluster_id: int, values: list[tuple[Any, Any]]) -> None:
        frame = zcl.report(self.device.next_tsn(), values)
        if self.device.send_bound(self.endpoint_id, cluster_id, frame):
            for attr, value in values:
                self._reported[(cluster_id, attr.name)] = value
        for attr, _ in values:
            self.arm(cluster_id, attr.name)  # the maximum interval counts from here

    def _send_reports(self) -> None:
        self._flush = None
        pending, self._pending = self._pending, {}
        for cluster_id, names in pending.items():
            server = self.clusters[cluster_id]
            values = []
            for attr in server.definition.attributes.values():
                config = self.reporting.get((cluster_id, attr.name))
                if attr.name not in names or config is None:
                    continue
                value = server.get(attr.name)
                if value is not None and config.due(
                    self._reported.get((cluster_id, attr.name)), value
                ):
                    values.append((attr, value))
            if values:
                self._report(cluster_id, values)


class SensorDevice(SimDevice):
    endpoint_class = SensorEndpoint

    def __init__(self, spec: DeviceSpec, **kwargs: Any) -> None:
        self.awake_until = 0.0
        super().__init__(spec, **kwargs)
        self._extra: dict[int, SimEndpoint] = {}
        self._build_extra_endpoints()

    @property
    def layouts(self) -> dict[int, EndpointLayout]:
        return {layout.endpoint: layout for layout in LAYOUTS[self.spec.kind]}

    def _build_clusters(self, endpoint: SimEndpoint) -> None:
        layout = self.layouts[endpoint.endpoint_id]
        for cluster_id in layout.in_clusters:
            server = SENSOR_SERVERS.get(cluster_id)
            if server is not None:
                endpoint.add(server)

    def _build_extra_endpoints(self) -> None:
        self._extra = {}
        for endpoint_id in self.layouts:
            if endpoint_id != self.endpoint.endpoint_id:
                endpoint = SensorEndpoint(self, endpoint_id)
                self._build_clusters(endpoint)
                self._extra[endpoint_id] = endpoint

    @property
    def endpoints(self) -> dict[int, SimEndpoint]:
        return dict(sorted({self.endpoint.endpoint_id: self.endpoint, **self._extra}.items()))

    @property
    def mac_capabilities(self) -> int:
        return END_DEVICE_CAPABILITIES

    # -- sleeping -----------------------------------------------------------------------
    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def wake(self, seconds: float | None = None) -> None:
        """Stays awake (fast polling) for ``seconds`` (default ``spec.awake_time``)."""
        span = self.spec.awake_time if seconds is None else seconds
        self.awake_until = max(self.awake_until, self._now() + span)

    def awake(self) -> bool:
        return self.online and self._now() < self.awake_until

    def delivery_delay(self) -> float | None:
        """0 while awake; else the time to the next poll (polls run every
        ``poll_interval`` from the moment the device fell asleep)."""
        if self.awake():
            return 0.0
        if not self.online:
            return None
        interval = self.spec.poll_interval
        return interval - ((self._now() - self.awake_until) % interval)

    def receive(self, frame: Any) -> None:
        self.wake()
        super().receive(frame)

    def _send(self, frame: Any) -> None:
        if self.online:
            self.wake()
        super()._send(frame)

    def joined(self, membership: Any, channel: int) -> None:
        super().joined(membership, channel)
        self.wake()  # stays awake for the interview, as real devices do after joining

    def set_online(self, online: bool) -> None:
        """Battery in (True) or out (False)."""
        super().set_online(online)
        if online:
            self.wake()
            for endpoint in self.endpoints.values():
                if isinstance(endpoint, SensorEndpoint):
                    endpoint.arm_all()

    # -- ZDO ----------------------------------------------------------------------------
    def node_descriptor(self) -> zdo_t.NodeDescriptor:
        descriptor = zdo.router_descriptor(self.spec.manufacturer_code)
        descriptor.logical_type = zdo_t.LogicalType.EndDevice
        descriptor.mac_capability_flags = zdo_t.NodeDescriptor.MACCapabilityFlags.AllocateAddress
        descriptor.server_mask = zt.uint16_t(0)
        return descriptor

    def active_endpoints(self) -> list[int]:
        return sorted(self.layouts)

    def simple_descriptor(self, endpoint: int) -> zdo_t.SimpleDescriptor | None:
        layout = self.layouts.get(endpoint)
        if layout is None:
            return None
        return zdo_t.SimpleDescriptor(
            endpoint=endpoint,
            profile=layout.profile,
            device_type=layout.device_type,
            device_version=1,
            input_clusters=list(layout.in_clusters),
            output_clusters=list(layout.out_clusters),
        )

    def neighbors(self) -> list[zdo_t.Neighbor]:
        return []  # an end device keeps no neighbour table

    def bind(self, binding: zdo_t.Binding, add: bool) -> zdo.Status:
        layout = self.layouts.get(int(binding.SrcEndpoint))
        if binding.SrcAddress == self.ieee and layout is None:
            return zdo.Status.INVALID_EP
        clusters = () if layout is None else layout.in_clusters + layout.out_clusters
        if binding.SrcAddress == self.ieee and int(binding.ClusterId) not in clusters:
            return zdo.Status.NOT_SUPPORTED
        return super().bind(binding, add)

    # -- the world changes (control socket) --------------------------------------------------
    def server(self, cluster_id: int) -> ClusterServer:
        for endpoint in self.endpoints.values():
            if cluster_id in endpoint.clusters:
                return endpoint.clusters[cluster_id]
        raise ValueError(f"{self.spec.kind} {self.ieee} has no cluster 0x{cluster_id:04x}")

    def press(self, button: str | int, event: str, duration: float = 0.0) -> int:
        """A button event; returns how many frames went on the air."""
        frames = button_frames(self.spec.kind, button, event, duration)
        self.wake()
        fallback = self.remote_group() if self.spec.kind is DeviceKind.IKEA_REMOTE else None
        sent = 0
        for frame in frames:
            data = frame.serialize(self.next_tsn())
            sent += self.send_bound(frame.endpoint, frame.cluster, data, fallback_group=fallback)
        return sent

    def remote_group(self) -> int:
        """The group an unbound IKEA remote controls (``spec.group``, else one derived
        from its address, as the remote picks its own group on first start)."""
        return self.spec.group or 0x4000 | (int.from_bytes(bytes(self.ieee)[:2], "little") & 0x0FFF)

    def event(self, action: str, value: Any) -> None:
        """A sensor reading changes (motion, lux, temperature, humidity, contact, battery)."""
        self.wake()
        if action == "motion":
            _as(self.server(0x0406), OccupancyServer).set_occupied(bool(value))
        elif action == "illuminance":
            _as(self.server(0x0400), IlluminanceServer).set_lux(float(value))
        elif action == "temperature":
            _as(self.server(0x0402), TemperatureServer).set_celsius(float(value))
        elif action == "humidity":
            _as(self.server(0x0405), HumidityServer).set_percent(float(value))
        elif action == "contact":
            _as(self.server(0x0500), IasZoneServer).set_alarm(bool(value))
        elif action == "battery":
            percent = int(value)
            if not 0 <= percent <= 100:
                raise ValueError("percent must be 0..100")
            _as(self.server(0x0001), PowerConfigurationServer).set_percent(percent)
        else:
            raise ValueError(f"unknown sensor event {action!r}")

    # -- life cycle and state -----------------------------------------------------------------
    def factory_reset(self) -> None:
        super().factory_reset()
        self._build_extra_endpoints()

    def to_state(self) -> dict[str, Any]:
        state = super().to_state()
        state["endpoints"] = {
            str(ep_id): {
                "clusters": {f"0x{c:04x}": dict(s.values) for c, s in ep.clusters.items()},
            }
            for ep_id, ep in self._extra.items()
        }
        state["reporting"] = [
            [ep_id, cluster, name, cfg.min_interval, cfg.max_interval, cfg.change]
            for ep_id, ep in self.endpoints.items()
            for (cluster, name), cfg in ep.reporting.items()
        ]
        return state

    def load_state(self, data: dict[str, Any]) -> None:
        super().load_state(data)
        for key, saved in data.get("endpoints", {}).items():
            endpoint = self._extra.get(int(key))
            if endpoint is None:
                continue
            for cluster_key, values in saved.get("clusters", {}).items():
                server = endpoint.clusters.get(int(cluster_key, 16))
                if server is not None:
                    server.restore(values)
        for ep_id, cluster, name, low, high, change in data.get("reporting", []):
            endpoint = self.endpoints.get(int(ep_id))
            if endpoint is not None:
                endpoint.configure_report(int(cluster), str(name), ReportConfig(low, high, change))

    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()
        snap.update(
            sleepy=True,
            awake=self.awake(),
            endpoints=[ep.snapshot() for ep in self.endpoints.values()],
            bindings=[_binding(b) for b in self.bindings()],
            reporting=[
                {"endpoint": ep_id, "cluster": cluster, "attribute": name, **vars(cfg)}
                for ep_id, ep in self.endpoints.items()
                for (cluster, name), cfg in ep.reporting.items()
            ],
        )
        if self.spec.kind is DeviceKind.IKEA_REMOTE:
            snap["group"] = self.remote_group()
        return snap


def _as(server: ClusterServer, kind: type[Any]) -> Any:
    assert isinstance(server, kind)
    return server


def _binding(binding: zdo_t.Binding) -> dict[str, Any]:
    dst = binding.DstAddress
    target: dict[str, Any] = (
        {"group": int(dst.nwk)}
        if int(dst.addrmode) == 0x01
        else {"ieee": str(dst.ieee), "dst_endpoint": int(dst.endpoint)}
    )
    return {"src_endpoint": int(binding.SrcEndpoint), "cluster": int(binding.ClusterId), **target}


def make_device(spec: DeviceSpec, **kwargs: Any) -> SimDevice:
    """The simulated device for a spec: a lamp/plug or a sleepy sensor."""
    if spec.kind.is_sensor:
        return SensorDevice(spec, **kwargs)
    return SimDevice(spec, **kwargs)
