"""The bridge between zigpy devices and the lights service.

Why a bridge: the lights service knows lights by (IEEE, endpoint) and speaks domain
commands; zigpy knows device objects that are rebuilt whenever the supervisor reconnects.
This class is the only place that maps one onto the other. It is the service's
:class:`gateway.domain.lights.LightTransport` (commands out) and zigpy's listener (joins,
interviews, reports and any frame from a device, in).

Rules it carries out:
- A device that joins while the network is open (or within ``join_grace`` seconds after)
  becomes a light once zigpy has interviewed it and we have read its clusters. A device
  zigpy announces while the network is closed is only matched against known lights.
- A command the light does not acknowledge marks it unreachable; any frame from it
  (report, response, announcement) marks it reachable again, and until then it is probed
  back with reads of OnOff (``reachability.py``, which logs every change with its cause).
  What a failed delivery means is ``delivery.py``.
- After every (re)connect the bridge re-attaches to the new zigpy device objects
  (``light_reports.py``) and reads each light's state once, so changes made while the
  radio was away show up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import zigpy.application
import zigpy.device
import zigpy.endpoint
import zigpy.exceptions
import zigpy.types as zt
from zigpy.zcl.clusters.general import OnOff

from gateway.domain.lights.model import (
    Capabilities,
    LightAddress,
    LightCommand,
    LightRefused,
    LightUnreachable,
)
from gateway.domain.radio import RadioState, RadioUnavailable
from gateway.zigbee import zcl, zcl_commands
from gateway.zigbee.coalescing import LatestWins
from gateway.zigbee.delivery import (
    SETTING_KINDS,
    radio_call,
    radio_refusal,
    raise_radio_problem,
)
from gateway.zigbee.light_reports import LightReports
from gateway.zigbee.reachability import Reachability
from gateway.zigbee.supervisor import RadioSupervisor

if TYPE_CHECKING:
    from gateway.domain.lights import LightsService

log = logging.getLogger(__name__)

ControllerApplication = zigpy.application.ControllerApplication


class ZigbeeLights:
    """LightTransport over zigpy, and the zigpy listener feeding the lights service."""

    def __init__(
        self,
        supervisor: RadioSupervisor,
        *,
        join_grace: float = 30.0,
        command_retries: int = 1,
        interview_attempts: int = 3,
        interview_retry_delay: float = 1.0,
        refresh_on_connect: bool = True,
        leave_timeout: float = zcl_commands.LEAVE_TIMEOUT,
    ) -> None:
        self.supervisor = supervisor
        self.service: LightsService | None = None
        self._join_grace = join_grace
        self._retries = command_retries
        self._attempts = interview_attempts
        self._retry_delay = interview_retry_delay
        self._refresh_on_connect = refresh_on_connect
        self._leave_timeout = leave_timeout
        self._app: ControllerApplication | None = None
        self._joined: set[str] = set()  # IEEEs that joined through the open network
        self.reports = LightReports(lambda: self.service)
        self._interviews: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refresh: asyncio.Task[None] | None = None  # the current connection's state read
        # Exclusive operations (touchlink, channel change) may tune the stick away from the
        # network: reads then fail through no fault of the lamp. The refresh waits for the
        # radio to be idle, and a read that overlapped a busy period blames no lamp.
        self._radio_idle = asyncio.Event()
        self._radio_idle.set()
        self._busy_periods = 0
        self._latest = LatestWins()
        self.reachability = Reachability(
            self._probe, lambda: supervisor.state is RadioState.RUNNING
        )
        supervisor.add_app_hooks(self._on_up, self._on_down)
        supervisor.add_state_listener(self._on_state)

    def bind(self, service: LightsService) -> None:
        self.service = service
        self.reachability.service = service

    # -- LightTransport ------------------------------------------------------------------------

    @property
    def radio_up(self) -> bool:
        return self.supervisor.reachable

    def check_ready(self) -> None:
        self.supervisor.check_ready()

    async def send(self, address: LightAddress, caps: Capabilities, command: LightCommand) -> None:
        self.supervisor.check_ready()
        endpoint = self._endpoint(address)
        kind = SETTING_KINDS.get(type(command))
        try:
            with radio_call(self.supervisor, f"{address.uniqueid}: {command}"):
                if kind is None:
                    await zcl_commands.execute(
                        endpoint, caps, command, self._tsn, retries=self._retries
                    )
                else:
                    await self._latest.run(
                        (address, kind),
                        lambda: zcl_commands.execute(
                            endpoint, caps, command, self._tsn, retries=self._retries
                        ),
                    )
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            raise_radio_problem(self.supervisor)
            refused = radio_refusal(exc)
            if refused is not None:
                raise LightRefused(f"radio refused: {refused}") from exc
            self.reachability.command_failed(address, f"{command} not acknowledged: {exc!r}")
            raise LightUnreachable(f"{address.uniqueid}: {exc!r}") from exc

    async def leave(self, address: LightAddress) -> None:
        self.supervisor.check_ready()
        device = self._device(address)
        # zigpy keeps the device in its database (as after any leave indication): if it
        # is paired again, zigpy sees a rejoin and we an interview of an unknown light.
        try:
            with radio_call(self.supervisor, f"{address.uniqueid}: leave"):
                await zcl_commands.leave(device, self._leave_timeout)
        except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
            raise_radio_problem(self.supervisor)
            raise LightUnreachable(f"{address.uniqueid}: {exc!r}") from exc

    async def _probe(self, address: LightAddress) -> None:
        """Ask an unreachable light for its OnOff attribute (any answer will do)."""
        self.supervisor.check_ready()
        endpoint = self._endpoint(address)
        cluster = endpoint.in_clusters.get(OnOff.cluster_id)
        attribute = "on_off"
        if cluster is None:  # not an on/off device: its Basic cluster answers as well
            cluster, attribute = endpoint.in_clusters.get(0x0000), "zcl_version"
        if cluster is None:
            raise LightUnreachable(f"{address.uniqueid} has nothing to read")
        with radio_call(self.supervisor, f"{address.uniqueid}: probe"):
            await cluster.read_attributes([attribute], tsn=self._tsn())

    def _tsn(self) -> int:
        """A transaction number unique among our requests in flight (see zcl.TsnSource)."""
        return self.supervisor.application.get_sequence()

    def _device(self, address: LightAddress) -> zigpy.device.Device:
        app = self.supervisor.application
        device = app.devices.get(zt.EUI64.convert(address.ieee))
        if not isinstance(device, zigpy.device.Device):
            raise LightUnreachable(f"{address.uniqueid} is not in the Zigbee network")
        return device

    def _endpoint(self, address: LightAddress) -> zigpy.endpoint.Endpoint:
        device = self._device(address)
        endpoint = device.endpoints.get(address.endpoint)
        if not isinstance(endpoint, zigpy.endpoint.Endpoint):
            raise LightUnreachable(f"{address.uniqueid} has no such endpoint")
        return endpoint

    # -- supervisor hooks ------------------------------------------------------------------------

    async def _on_up(self, app: ControllerApplication) -> None:
        self._app = app
        app.add_listener(self)
        service = self.service
        if service is None:
            return
        for address in service.addresses():
            device = app.devices.get(zt.EUI64.convert(address.ieee))
            if isinstance(device, zigpy.device.Device):
                self.reports.attach(device, address.endpoint)
        if self._refresh_on_connect:
            self._refresh = self._spawn(self._refresh_all(app), "lights-refresh")

    def _on_down(self, app: ControllerApplication) -> None:
        app.remove_listener(self)
        self._app = None
        self.reports.detach_all()
        for task in list(self._interviews.values()):
            task.cancel()
        self._interviews.clear()
        if self._refresh is not None:
            # Its reads went to this application's device objects: finishing after a
            # reconnect, one would fail through the dead application and blame its lamp.
            self._refresh.cancel()
            self._refresh = None

    def _on_state(self, old: Any, new: Any) -> None:
        self.reachability.radio_changed(str(new) == RadioState.RUNNING)
        if str(new) == RadioState.BUSY:
            self._busy_periods += 1
            self._radio_idle.clear()
        else:
            self._radio_idle.set()
        if self.service is None:
            return
        was_up = str(old) in ("running", "busy")
        self.service.radio_changed(was_up)

    # -- zigpy listener methods (called synchronously by zigpy) ----------------------------------

    def device_joined(self, device: zigpy.device.Device) -> None:
        if self.supervisor.joins_open(grace=self._join_grace):
            self._joined.add(str(device.ieee))
            log.info("device %s joined through the open network", device.ieee)

    def device_initialized(self, device: zigpy.device.Device) -> None:
        ieee = str(device.ieee)
        running = self._interviews.get(ieee)
        if running is not None and not running.done():
            running.cancel()
        task = self._spawn(self._interview(device), f"interview-{ieee}")
        self._interviews[ieee] = task

    def device_left(self, device: zigpy.device.Device) -> None:
        self.reachability.lost(str(device.ieee), "left the network", probe=False)

    def device_removed(self, device: zigpy.device.Device) -> None:
        self.reports.detach_device(str(device.ieee))

    def handle_message(
        self,
        device: zigpy.device.Device,
        profile: int,
        cluster: int,
        src_ep: int,
        dst_ep: int,
        message: bytes,
    ) -> None:
        self.reachability.seen(str(device.ieee))

    # -- interview and reports -------------------------------------------------------------------

    def _may_add(self, ieee: str) -> bool:
        return ieee in self._joined or self.supervisor.joins_open(grace=self._join_grace)

    async def _interview(self, device: zigpy.device.Device) -> None:
        service = self.service
        if service is None:
            return
        ieee = str(device.ieee)
        for endpoint in zcl.light_endpoints(device):
            address = zcl.address_of(device, endpoint.endpoint_id)
            known = service.by_address(address) is not None
            if not known and not self._may_add(ieee):
                log.info("not adding %s: it joined while the network was closed", address)
                continue
            found = await self._interview_endpoint(device, endpoint)
            if found is None:
                continue
            light = await service.discovered(found, may_add=self._may_add(ieee) or known)
            if light is not None:
                self.reports.attach(device, endpoint.endpoint_id)
        self._joined.discard(ieee)

    async def _interview_endpoint(
        self, device: zigpy.device.Device, endpoint: zigpy.endpoint.Endpoint
    ) -> Any:
        for attempt in range(1, self._attempts + 1):
            try:
                return await zcl.interview(device, endpoint, self._tsn)
            except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
                log.info(
                    "interview of %s ep %d failed (%d/%d): %r",
                    device.ieee,
                    endpoint.endpoint_id,
                    attempt,
                    self._attempts,
                    exc,
                )
                if attempt < self._attempts:
                    await asyncio.sleep(self._retry_delay)
        return None

    async def _refresh_all(self, app: ControllerApplication | None = None) -> None:
        """Read every known light's state once through ``app`` (after a reconnect).

        The values are not applied here: each read response fires zigpy's
        ``attribute_updated`` event, which the attached handler turns into a state
        update in arrival order. Applying the collected values at the end instead would
        let a read that started before a command overwrite that command's result.
        """
        service = self.service
        app = app or self._app
        if service is None or app is None:
            return
        for address in service.addresses():
            light = service.by_address(address)
            device = app.devices.get(zt.EUI64.convert(address.ieee))
            endpoint = (
                device.endpoints.get(address.endpoint)
                if isinstance(device, zigpy.device.Device)
                else None
            )
            if light is None or not isinstance(endpoint, zigpy.endpoint.Endpoint):
                continue
            await self._radio_idle.wait()
            if self._app is not app:
                return  # the radio went away meanwhile; the next connection reads again
            busy_before = self._busy_periods
            try:
                with radio_call(self.supervisor, f"{address.uniqueid}: state read"):
                    await zcl.read_state(endpoint, light.caps, self._tsn)
            except RadioUnavailable:
                return  # the radio went away again; the next connect reads once more
            except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
                radio_was_ours = (
                    self._busy_periods == busy_before
                    and self.supervisor.state is RadioState.RUNNING
                    and self._app is app
                )
                if radio_was_ours:
                    self.reachability.lost(
                        address.ieee, f"no answer to the state read after connecting: {exc!r}"
                    )

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("lights bridge task %s failed", task.get_name(), exc_info=task.exception())

    async def stop(self) -> None:
        await self._latest.stop()
        await self.reachability.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
