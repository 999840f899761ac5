"""The Zigbee side of sensors: interview, binding and reporting, frames in, config out.

Why a listener of its own next to the lights bridge: sensors and remotes are sleepy end
devices that must never be polled. They are heard only because at their interview (while
they are awake after joining) we bind their clusters to the coordinator and configure
reporting; after that every reading arrives unasked, and this class turns each frame into
a :class:`SensorReading` straight from zigpy's receive callback (no task hop, so a button
press reaches the websocket within milliseconds of the frame).

It implements :class:`gateway.domain.sensors.SensorRadio`: config the device must hold
(``duration``, ``sensitivity``) is queued and written the next time the device is heard
from, when it is awake, as deCONZ does with sleepy devices.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import zigpy.application
import zigpy.device
import zigpy.exceptions
import zigpy.zcl
from zigpy.zcl import foundation
from zigpy.zcl.helpers import ReportingConfig

from gateway.domain.radio import RadioUnavailable
from gateway.domain.sensors.records import DiscoveredSensor, Sensor, SensorReading, sensor_uniqueid
from gateway.zigbee.sensor_frames import (
    IAS_ZONE,
    OCCUPANCY,
    PHILIPS,
    POWER,
    Decoded,
    MalformedFrame,
    RemoteMemory,
    attribute_reading,
    decode,
)
from gateway.zigbee.sensor_kinds import BATTERY_REPORT, FoundSensor, Report, classify
from gateway.zigbee.supervisor import RadioSupervisor

if TYPE_CHECKING:
    from gateway.domain.sensors import SensorsService

log = logging.getLogger(__name__)

ControllerApplication = zigpy.application.ControllerApplication
# A step that fails for one of these is logged and skipped: the radio went away or the
# device did not answer (it may be asleep already); the next interview tries again.
ZCL_FAILURES = (TimeoutError, zigpy.exceptions.ZigbeeException, RadioUnavailable)
HUE_SENSITIVITY = 0x0030  # Philips manufacturer attribute of Occupancy Sensing
UINT8_TYPE: Any = foundation.DataTypeId.uint8


class ZigbeeSensors:
    """SensorRadio over zigpy, and the zigpy listener feeding the sensors service."""

    def __init__(
        self,
        supervisor: RadioSupervisor,
        *,
        join_grace: float = 30.0,
        attempts: int = 3,
        retry_delay: float = 1.0,
    ) -> None:
        self.supervisor = supervisor
        self.service: SensorsService | None = None
        self._join_grace = join_grace
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._joined: set[str] = set()
        self._memory = RemoteMemory()
        self._pending: dict[str, dict[tuple[int, str], int]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._interviews: dict[str, asyncio.Task[Any]] = {}
        supervisor.add_app_hooks(self._on_up, self._on_down)

    def bind(self, service: SensorsService) -> None:
        self.service = service

    @property
    def busy(self) -> bool:
        """Interviews, set-ups or writes still running (tests wait for quiet)."""
        return any(not task.done() for task in self._tasks)

    # -- SensorRadio -----------------------------------------------------------------------

    def configure(self, sensor: Sensor, changes: dict[str, Any]) -> None:
        if sensor.ieee is None or sensor.endpoint is None:
            return
        pending = self._pending.setdefault(sensor.ieee, {})
        for name, value in changes.items():
            pending[(sensor.endpoint, name)] = int(value)
        log.info("sensor %s: %s written when the device is next awake", sensor.rid, changes)

    # -- supervisor hooks ------------------------------------------------------------------

    async def _on_up(self, app: ControllerApplication) -> None:
        app.add_listener(self)

    def _on_down(self, app: ControllerApplication) -> None:
        app.remove_listener(self)

    # -- zigpy listener methods (called synchronously by zigpy) ----------------------------

    def device_joined(self, device: zigpy.device.Device) -> None:
        if self.supervisor.joins_open(grace=self._join_grace):
            self._joined.add(str(device.ieee))

    def device_initialized(self, device: zigpy.device.Device) -> None:
        ieee = str(device.ieee)
        running = self._interviews.get(ieee)
        if running is not None and not running.done():
            running.cancel()  # a rejoin mid-interview: start over with the new session
        self._interviews[ieee] = self._spawn(self._interview(device), f"sensor-interview-{ieee}")

    def device_left(self, device: zigpy.device.Device) -> None:
        if self.service is not None:
            self.service.reachable(str(device.ieee), False)

    def handle_message(
        self,
        device: zigpy.device.Device,
        profile: int,
        cluster: int,
        src_ep: int,
        dst_ep: int,
        message: bytes,
    ) -> None:
        service = self.service
        ieee = str(device.ieee)
        if service is None or src_ep == 0 or not service.of_device(ieee):
            return
        try:
            decoded = decode(ieee, cluster, src_ep, message, self._memory)
        except MalformedFrame as exc:
            log.warning(
                "malformed frame from %s ep %d cluster 0x%04X ignored: %s (%s)",
                ieee, src_ep, cluster, exc, message.hex(),
            )  # fmt: skip
            return
        if not decoded.understood:
            log.info(
                "frame from %s ep %d cluster 0x%04X not understood, ignored (%s)",
                ieee, src_ep, cluster, message.hex(),
            )  # fmt: skip
            return
        self._apply(service, ieee, decoded)
        if decoded.enroll_tsn is not None:
            self._spawn(self._enroll(device, src_ep, decoded.enroll_tsn), f"ias-enroll-{ieee}")
        if self._pending.get(ieee):
            self._spawn(self._write_pending(device), f"sensor-config-{ieee}")

    def _apply(self, service: SensorsService, ieee: str, decoded: Decoded) -> None:
        for (endpoint, cluster), state in decoded.state.items():
            uniqueid = sensor_uniqueid(ieee, endpoint, cluster)
            config = decoded.config.pop((endpoint, cluster), {})
            event = (endpoint, cluster) in decoded.events
            service.reading(SensorReading(uniqueid, state, config, event=event))
        for (endpoint, cluster), config in decoded.config.items():
            service.reading(SensorReading(sensor_uniqueid(ieee, endpoint, cluster), config=config))
        if decoded.device_config:
            for sensor in service.of_device(ieee):
                service.reading(SensorReading(sensor.uniqueid, config=decoded.device_config))
        if not decoded.state and not decoded.config and not decoded.device_config:
            service.reachable(ieee, True)

    # -- interview -------------------------------------------------------------------------

    async def _interview(self, device: zigpy.device.Device) -> None:
        service = self.service
        if service is None:
            return
        ieee = str(device.ieee)
        known = bool(service.of_device(ieee))
        may_add = ieee in self._joined or self.supervisor.joins_open(grace=self._join_grace)
        self._joined.discard(ieee)
        if not known and not may_add:
            return
        zone_types = await self._zone_types(device)
        found = classify(device, zone_types)
        if not found:
            return
        swversion = await self._swversion(device)
        battery = await self._battery(device)
        for sensor in found:
            initial = await self._initial_state(device, sensor)
            config = dict(sensor.config)
            if battery is not None:
                config["battery"] = battery
            if sensor.cluster == OCCUPANCY:
                config.update(await self._duration(device, sensor.endpoint))
            await service.discovered(
                DiscoveredSensor(
                    ieee=ieee,
                    endpoint=sensor.endpoint,
                    cluster=sensor.cluster,
                    type=sensor.type,
                    manufacturer=str(device.manufacturer or ""),
                    model=str(device.model or ""),
                    swversion=swversion,
                    state=initial,
                    config=config,
                ),
                may_add=may_add or known,
            )
        await self._set_up_reporting(device, found)

    async def _set_up_reporting(
        self, device: zigpy.device.Device, found: list[FoundSensor]
    ) -> None:
        """Bind every reading's cluster to us and configure its reports (ZDO Bind +
        Configure Reporting); IAS zones also learn our address so they enrol."""
        for sensor in found:
            endpoint = device.endpoints[sensor.endpoint]
            for cluster_id in sensor.bind_in:
                await self._try(endpoint.in_clusters[cluster_id].bind(), "bind", device)
            for cluster_id in sensor.bind_out:
                await self._try(endpoint.out_clusters[cluster_id].bind(), "bind", device)
            for report in sensor.reports:
                await self._report(device, sensor.endpoint, report)
            if sensor.cluster == IAS_ZONE:
                await self._try(self._enrol(endpoint.in_clusters[IAS_ZONE]), "cie_addr", device)
        power = next((ep for ep in device.non_zdo_endpoints if POWER in ep.in_clusters), None)
        if power is not None:
            await self._try(power.in_clusters[POWER].bind(), "bind", device)
            await self._report(device, power.endpoint_id, BATTERY_REPORT)

    async def _report(self, device: zigpy.device.Device, endpoint_id: int, report: Report) -> None:
        cluster_id, attribute, lo, hi, change = report
        cluster = device.endpoints[endpoint_id].in_clusters[cluster_id]
        config = {
            cluster.find_attribute(attribute): ReportingConfig(
                min_interval=lo, max_interval=hi, reportable_change=change
            )
        }
        await self._try(cluster.configure_reporting_multiple(config), "reporting", device)

    async def _try(self, operation: Coroutine[Any, Any, Any], what: str, device: Any) -> Any:
        """One set-up step; a failure is logged (the sensor still works, less well)."""
        try:
            return await operation
        except ZCL_FAILURES as exc:
            log.info("sensor %s: %s failed: %r", device.ieee, what, exc)
            return None

    async def _read(
        self, cluster: zigpy.zcl.Cluster, names: list[Any], manufacturer: int | None = None
    ) -> dict[Any, Any]:
        for attempt in range(1, self._attempts + 1):
            try:
                tsn = self.supervisor.application.get_sequence()
                kwargs: dict[str, Any] = {"tsn": tsn}
                if manufacturer is not None:
                    kwargs["manufacturer"] = manufacturer
                success, _failure = await cluster.read_attributes(names, **kwargs)
                return {k: v for k, v in success.items() if v is not None}
            except ZCL_FAILURES as exc:
                log.info("read of %s failed (%d/%d): %r", cluster, attempt, self._attempts, exc)
                if attempt < self._attempts:
                    await asyncio.sleep(self._retry_delay)
        return {}

    async def _zone_types(self, device: zigpy.device.Device) -> dict[int, int]:
        zones: dict[int, int] = {}
        for endpoint in device.non_zdo_endpoints:
            if IAS_ZONE in endpoint.in_clusters:
                values = await self._read(endpoint.in_clusters[IAS_ZONE], ["zone_type"])
                if "zone_type" in values:
                    zones[endpoint.endpoint_id] = int(values["zone_type"])
        return zones

    async def _swversion(self, device: zigpy.device.Device) -> str:
        for endpoint in device.non_zdo_endpoints:
            basic = endpoint.in_clusters.get(0x0000)
            if basic is not None:
                values = await self._read(basic, ["sw_build_id", "date_code"])
                return str(values.get("sw_build_id") or values.get("date_code") or "")
        return ""

    async def _battery(self, device: zigpy.device.Device) -> int | None:
        for endpoint in device.non_zdo_endpoints:
            if POWER in endpoint.in_clusters:
                values = await self._read(
                    endpoint.in_clusters[POWER], ["battery_percentage_remaining"]
                )
                raw = values.get("battery_percentage_remaining")
                if raw is not None and int(raw) != 0xFF:
                    return min(100, round(int(raw) / 2))
        return None

    async def _duration(self, device: zigpy.device.Device, endpoint_id: int) -> dict[str, int]:
        cluster = device.endpoints[endpoint_id].in_clusters[OCCUPANCY]
        values = await self._read(cluster, ["pir_o_to_u_delay"])
        if "pir_o_to_u_delay" in values:
            return {"duration": int(values["pir_o_to_u_delay"])}
        return {}

    async def _initial_state(
        self, device: zigpy.device.Device, sensor: FoundSensor
    ) -> dict[str, Any]:
        """The current reading, read once while the device is awake after joining."""
        if not sensor.reports:
            return {}
        cluster_id, attribute, *_ = sensor.reports[0]
        cluster = device.endpoints[sensor.endpoint].in_clusters[cluster_id]
        values = await self._read(cluster, [attribute])
        if attribute not in values:
            return {}
        attrid = cluster.find_attribute(attribute).id
        frame = Decoded(understood=False)  # the same mapping as for reports
        attribute_reading(frame, cluster_id, sensor.endpoint, attrid, values[attribute])
        return frame.state.get((sensor.endpoint, cluster_id), {})

    async def _enrol(self, ias: zigpy.zcl.Cluster) -> Any:
        """Tell the zone who its CIE is; it answers with a Zone Enroll Request."""
        cie = self.supervisor.application.state.node_info.ieee
        return await ias.write_attributes({"cie_addr": cie})

    # -- replies and deferred writes -------------------------------------------------------

    async def _enroll(self, device: zigpy.device.Device, endpoint_id: int, tsn: int) -> None:
        """Answer a Zone Enroll Request: success, zone id 0 (one zone per device)."""
        ias = device.endpoints[endpoint_id].in_clusters[IAS_ZONE]
        await self._try(ias.enroll_response(0, 0, tsn=tsn), "enroll response", device)

    async def _write_pending(self, device: zigpy.device.Device) -> None:
        pending = self._pending.pop(str(device.ieee), {})
        for (endpoint_id, name), value in pending.items():
            endpoint = device.endpoints.get(endpoint_id)
            if endpoint is None or OCCUPANCY not in endpoint.in_clusters:
                continue
            cluster = endpoint.in_clusters[OCCUPANCY]
            if name == "duration":
                write = cluster.write_attributes({"pir_o_to_u_delay": value})
            else:
                record = foundation.Attribute(
                    HUE_SENSITIVITY, foundation.TypeValue(type=UINT8_TYPE, value=value)
                )
                write = cluster.write_attributes_raw([record], manufacturer_code=PHILIPS)
            result = await self._try(write, f"write {name}", device)
            log.info("sensor %s: wrote %s=%s: %s", device.ieee, name, value, result)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        for ieee in [i for i, t in self._interviews.items() if t is task]:
            del self._interviews[ieee]
        if not task.cancelled() and task.exception() is not None:
            log.error("sensors task %s failed", task.get_name(), exc_info=task.exception())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
