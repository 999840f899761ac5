"""The Zigbee side assembled: lights service, radio supervisor, bridge, touchlink, websocket.

Why a class of its own: :func:`start_zigbee` builds it from the settings, and the
integration tests build the very same object with shorter timings (backoff, channel
change broadcasts) around an emulator — so what the tests drive is what runs.

What :func:`start_zigbee` hands to the composition root (:class:`Contribution`):
- ``network``: the :class:`RadioSupervisor` (the configuration service's radio port);
- ``attach_deconz``: gives the deCONZ API its lights and touchlink services;
- ``servers``: the deCONZ websocket on ``http.websocket_port``;
- health (the supervisor task is alive — a lost radio is reported, not fatal), status,
  and an orderly stop: radio first, then lights (final state flush), then the emulator.

With ``radio.kind = "none"`` there is no radio and no websocket server; the lights
collection is served from the store (every light unreachable).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zigpy.application

from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.websocket import build_websocket_app
from gateway.app.contribution import Contribution, StartupError
from gateway.app.virtual import VIRTUAL_RADIO_KINDS, VirtualPeer, VirtualRigError
from gateway.domain.config import GatewayConfigService
from gateway.domain.events import EventBus
from gateway.domain.groups import GroupsService, ScenesService
from gateway.domain.lights import LightsService
from gateway.domain.sensors import SensorsService
from gateway.domain.touchlink import TouchlinkService
from gateway.store import Store
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.bridge import ZigbeeLights
from gateway.zigbee.deconz_watch import DeconzNetworkWatch
from gateway.zigbee.groups import ZigbeeGroups
from gateway.zigbee.radios import RadioConfig
from gateway.zigbee.sensors import ZigbeeSensors
from gateway.zigbee.stray_tasks import StrayTaskFilter
from gateway.zigbee.supervisor import RadioSupervisor
from gateway.zigbee.touchlink import SupervisorTouchlink, TouchlinkTiming

if TYPE_CHECKING:
    from gateway.app.gateway import Gateway

log = logging.getLogger(__name__)

ZIGBEE_DB = "zigbee.db"
BACKUP_DIR = "zigbee-backups"


@dataclass
class ZigbeeTuning:
    """Timings the tests shorten; the defaults are for real sticks and real lamps."""

    backoff_initial: float = 0.5
    backoff_cap: float = 10.0
    connect_timeout: float = 60.0
    channel_change_broadcasts: int = 5
    permit_renew_interval: float = 240.0
    interview_retry_delay: float = 1.0
    command_retries: int = 1
    leave_timeout: float = 5.0
    flush_interval: float = 1.0
    znp_options: dict[str, Any] = field(default_factory=dict)
    touchlink: TouchlinkTiming = field(default_factory=TouchlinkTiming)


class ZigbeeSide:
    """Owns the lights service, the supervisor, the bridge and touchlink; starts and stops them."""

    def __init__(
        self,
        *,
        store: Store,
        events: EventBus,
        config: GatewayConfigService,
        kind: str,
        path: str,
        state_dir: Path,
        baudrate: int = 115200,
        flow_control: str = "none",
        tuning: ZigbeeTuning | None = None,
    ) -> None:
        tuning = tuning or ZigbeeTuning()
        self.config = config
        self.lights = LightsService(
            store,
            events,
            permit=config.set_permitjoin,
            notify_all=lambda: config.current.websocketnotifyall,
            flush_interval=tuning.flush_interval,
        )
        self.supervisor = RadioSupervisor(
            RadioConfig(
                kind=kind,
                path=path,
                database_path=state_dir / ZIGBEE_DB,
                backup_dir=state_dir / BACKUP_DIR,
                baudrate=baudrate,
                flow_control=flow_control,
                channel=config.current.zigbeechannel,
                znp_options=dict(tuning.znp_options),
            ),
            backoff=Backoff(tuning.backoff_initial, cap=tuning.backoff_cap),
            connect_timeout=tuning.connect_timeout,
            permit_renew_interval=tuning.permit_renew_interval,
            channel_change_broadcasts=tuning.channel_change_broadcasts,
        )
        # zigpy-znp's unawaited tasks failing on a pulled stick: DEBUG, not ERROR lines.
        self.stray_tasks = StrayTaskFilter()
        self.bridge = ZigbeeLights(
            self.supervisor,
            command_retries=tuning.command_retries,
            interview_retry_delay=tuning.interview_retry_delay,
            leave_timeout=tuning.leave_timeout,
        )
        self.bridge.bind(self.lights)
        self.lights.transport = self.bridge
        self.sensor_radio = ZigbeeSensors(self.supervisor, retry_delay=tuning.interview_retry_delay)
        self.sensors = SensorsService(
            store,
            events,
            radio=self.sensor_radio,
            permit=config.set_permitjoin,
            notify_all=lambda: config.current.websocketnotifyall,
            flush_interval=tuning.flush_interval,
        )
        self.sensor_radio.bind(self.sensors)
        # Touchlink takes this supervisor's radio and marks this side's lamps it resets.
        self.touchlink = TouchlinkService(
            SupervisorTouchlink(self.supervisor, tuning.touchlink),
            unreachable=lambda ieee: self.bridge.reachability.lost(
                ieee, "reset by touchlink", probe=False
            ),
        )
        self.supervisor.add_app_hooks(self._remember_coordinator)
        # A RaspBee that resets keeps its UART open: only asking it shows the network is
        # down (nothing happens for a ZNP stick).
        DeconzNetworkWatch(self.supervisor).install()
        self.groups = GroupsService(
            store,
            events,
            self.lights,
            transport=ZigbeeGroups(self.supervisor, retries=tuning.command_retries),
            notify_all=lambda: config.current.websocketnotifyall,
        )
        self.scenes = ScenesService(self.groups)
        self.supervisor.add_app_hooks(self._groups_up)

    async def _groups_up(self, app: zigpy.application.ControllerApplication) -> None:
        """Each lamp's group table is checked after every (re)connect."""
        self.groups.radio_connected()

    async def _remember_coordinator(self, app: zigpy.application.ControllerApplication) -> None:
        """bridgeid follows the coordinator's IEEE, as in deCONZ."""
        await self.config.remember_bridgeid(str(app.state.node_info.ieee))

    def attach(self, services: DeconzServices) -> None:
        """Give the deCONZ API this side's lights and touchlink services."""
        services.lights = self.lights
        services.touchlink = self.touchlink
        services.sensors = self.sensors
        services.groups = self.groups
        services.scenes = self.scenes

    async def start(self) -> None:
        """Load the lights, then connect the radio in the background."""
        await self.lights.load()
        self.lights.start()
        await self.sensors.load()
        self.sensors.start()
        await self.groups.load()
        self.groups.start()
        self.config.network = self.supervisor
        self.stray_tasks.install()
        self.supervisor.start()

    async def stop(self) -> None:
        await self.touchlink.stop()
        await self.supervisor.stop()
        await self.bridge.stop()
        await self.sensor_radio.stop()
        await self.groups.stop()
        await self.lights.stop()
        await self.sensors.stop()
        self.stray_tasks.uninstall()

    def status(self) -> str:
        return f"zigbee {self.supervisor.config.kind}: {self.supervisor.describe()}, " + (
            f"{len(self.lights.all())} lights, {len(self.sensors.all())} sensors"
        )


async def start_zigbee(gateway: Gateway) -> Contribution:
    """The Zigbee side from the settings: no radio, a real stick, or the virtual rig's."""
    settings = gateway.settings
    store, config = gateway.store, gateway.config
    if store is None or config is None:
        raise RuntimeError("the store and the configuration service start before Zigbee")
    kind: str = settings.radio.kind
    if kind == "none":
        return await _without_radio(store, gateway.events)

    state_dir = settings.gateway.state_dir
    path = settings.radio.path
    virtual: VirtualPeer | None = None
    if kind in VIRTUAL_RADIO_KINDS:
        assert gateway.virtual_rig is not None, "the composition root starts the rig"
        try:
            path, kind, virtual = await gateway.virtual_rig.radio()
        except VirtualRigError as exc:
            raise StartupError(f"radio.kind: {settings.radio.kind}: {exc}") from None
    side = ZigbeeSide(
        store=store,
        events=gateway.events,
        config=config,
        kind=kind,
        path=path,
        state_dir=state_dir,
        baudrate=settings.radio.baudrate,
        flow_control=settings.radio.flow_control,
    )
    await side.start()

    async def stop() -> None:
        await side.stop()
        if virtual is not None:
            await virtual.stop()

    websocket = build_websocket_app(gateway.events)
    host, port = settings.http.host, settings.http.websocket_port
    return Contribution(
        network=side.supervisor,
        attach_deconz=side.attach,
        servers=[("websocket", websocket, host, port, "http.websocket_port")],
        healthy=lambda: side.supervisor.alive,
        status=side.status,
        stop=stop,
        lights=side.lights,
        groups=side.groups,
        scenes=side.scenes,
        sensors=side.sensors,
    )


async def _without_radio(store: Store, events: EventBus) -> Contribution:
    log.info("no Zigbee radio configured (radio.kind = none)")
    lights = LightsService(store, events)
    await lights.load()
    sensors = SensorsService(store, events)
    await sensors.load()
    sensors.start()
    groups = GroupsService(store, events, lights)
    await groups.load()

    def attach_lights(services: DeconzServices) -> None:
        services.lights = lights
        services.sensors = sensors
        services.groups = groups
        services.scenes = ScenesService(groups)

    async def stop() -> None:
        await lights.stop()
        await sensors.stop()

    return Contribution(
        attach_deconz=attach_lights, status=lambda: "zigbee: no radio", stop=stop, lights=lights
    )
