"""The Zigbee side assembled: lights service, radio supervisor and the bridge between them.

Why a class of its own: the wiring module builds it from the settings, and the
integration tests build the very same object with shorter timings (backoff, channel
change broadcasts) around an emulator — so what the tests drive is what runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zigpy.application

from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.lights import SERVICE_KEY
from gateway.api.deconz.touchlink import SERVICE_KEY as TOUCHLINK_KEY
from gateway.config import GatewayConfigService
from gateway.events import EventBus
from gateway.lights import LightsService
from gateway.store import Store
from gateway.touchlink import TouchlinkService
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.bridge import ZigbeeLights
from gateway.zigbee.radios import RadioConfig
from gateway.zigbee.supervisor import RadioSupervisor
from gateway.zigbee.touchlink import SupervisorTouchlink, TouchlinkTiming

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
        self.bridge = ZigbeeLights(
            self.supervisor,
            command_retries=tuning.command_retries,
            interview_retry_delay=tuning.interview_retry_delay,
            leave_timeout=tuning.leave_timeout,
        )
        self.bridge.bind(self.lights)
        self.lights.transport = self.bridge
        # Touchlink takes this supervisor's radio and marks this side's lamps it resets.
        self.touchlink = TouchlinkService(
            SupervisorTouchlink(self.supervisor, tuning.touchlink),
            unreachable=self.lights.unreachable,
        )
        self.supervisor.add_app_hooks(self._remember_coordinator)

    async def _remember_coordinator(self, app: zigpy.application.ControllerApplication) -> None:
        """bridgeid follows the coordinator's IEEE, as in deCONZ."""
        await self.config.remember_bridgeid(str(app.state.node_info.ieee))

    def attach(self, services: DeconzServices) -> None:
        """Register the lights and touchlink services and the ``lights`` full-state section."""
        services.extra[SERVICE_KEY] = self.lights
        services.extra[TOUCHLINK_KEY] = self.touchlink
        services.sections["lights"] = self.lights.section

    async def start(self) -> None:
        """Load the lights, then connect the radio in the background."""
        await self.lights.load()
        self.lights.start()
        self.config.network = self.supervisor
        self.supervisor.start()

    async def stop(self) -> None:
        await self.touchlink.stop()
        await self.supervisor.stop()
        await self.bridge.stop()
        await self.lights.stop()

    def status(self) -> str:
        return f"zigbee {self.supervisor.config.kind}: {self.supervisor.describe()}, " + (
            f"{len(self.lights.all())} lights"
        )
