"""The touchlink rig: the Zigbee rig (emulator on a pty, unmodified zigpy-znp, uvicorn)
with touchlink targets in the emulator and the touchlink service attached to the API,
as ``gateway.zigbee.wiring`` attaches it. Only timings are shortened.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import zigpy.types as zt

from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.touchlink import SERVICE_KEY
from gateway.apikeys import ApiKeyService
from gateway.config import GatewayConfigService
from gateway.events import EventBus
from gateway.store import Store
from gateway.touchlink import TouchlinkService
from gateway.zigbee.stack import ZigbeeSide
from gateway.zigbee.touchlink import TouchlinkTiming, build_touchlink
from hil.emulators.znp import DeviceKind, DeviceSpec, ZnpEmulator
from tests.helpers.harness import SYSTEM
from tests.helpers.servers import running_server
from tests.zigbee.rig import FAST, Gateway, emulator_config, until

# Responses from the emulator arrive within ~30 ms; 80 ms windows leave room for a busy CI.
FAST_TOUCHLINK = TouchlinkTiming(
    scan_window=0.08, first_channel_scans=5, target_scans=3, restore_settle=0.05
)
NETWORK_CHANNEL = 15  # where the template network (and its paired lamps) live


def target(ieee: str, channel: int, kind: DeviceKind, *, factory_new: bool = True) -> DeviceSpec:
    """A touchlink target that stays out of our network unless reset and told to join."""
    return DeviceSpec(
        ieee=zt.EUI64.convert(ieee),
        kind=kind,
        channel=channel,
        factory_new=factory_new,
        auto_join=False,
    )


@dataclass
class TouchlinkGateway(Gateway):
    """``tests.zigbee.rig.Gateway`` plus the touchlink service, for a chosen radio kind."""

    kind: str = "znp"
    timing: TouchlinkTiming = FAST_TOUCHLINK
    touchlink: TouchlinkService = field(init=False)

    async def start(self) -> TouchlinkGateway:
        self.store = await Store.open(f"sqlite:///{self.tmp / 'gateway.db'}")
        config = GatewayConfigService(self.store, system_info=lambda: SYSTEM)
        await config.load()
        keys = ApiKeyService(self.store)
        await keys.load()
        events = EventBus()
        self.side = ZigbeeSide(
            store=self.store,
            events=events,
            config=config,
            kind=self.kind,
            path=self.path,
            state_dir=self.tmp,
            tuning=self.tuning,
        )
        services = DeconzServices(
            config=config, api_keys=keys, events=events, websocket_port=0, version="t"
        )
        self.side.attach(services)
        self.touchlink = build_touchlink(self.side, self.timing)
        services.extra[SERVICE_KEY] = self.touchlink
        await self.side.start()
        self.base = await self._stack.enter_async_context(
            running_server(build_deconz_app(services))
        )
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30)
        config.unlock(60)
        r = await self.http.post("/api", json={"devicetype": "rig#touchlink"})
        self.key = r.json()[0]["success"]["username"]
        config.unlock(0)
        return self

    async def stop(self) -> None:
        await self.touchlink.stop()
        await super().stop()

    # -- touchlink shortcuts -----------------------------------------------------------------

    async def scan(self, timeout: float = 30.0) -> dict[str, Any]:
        """POST a scan and wait for its end; the GET body at the end."""
        r = await self.http.post(self.url("/touchlink/scan"))
        assert r.status_code == 200, r.text
        return await self.scan_finished(timeout)

    async def scan_finished(self, timeout: float = 30.0) -> dict[str, Any]:
        async def idle() -> dict[str, Any] | None:
            body = await self.get("/touchlink/scan")
            return body if body["scanstate"] == "idle" else None

        body: dict[str, Any] = await until(idle, timeout=timeout, step=0.05)
        return body

    async def wait_released(self, timeout: float = 10.0) -> None:
        """The touchlink task ended (radio released after the settle time)."""
        await until(lambda: self.touchlink.running is None, timeout=timeout)


@dataclass
class TouchlinkRig:
    emulator: ZnpEmulator
    gw: TouchlinkGateway

    async def current_id(self, ieee: str) -> str:
        """The id ``ieee`` has in the results shown now (ids follow each scan's order)."""
        return self.result_id(await self.gw.get("/touchlink/scan"), ieee)

    def result_id(self, body: dict[str, Any], ieee: str) -> str:
        address = "0x" + ieee.replace(":", "")
        for rid, item in body["result"].items():
            if item["address"] == address:
                return str(rid)
        raise KeyError(ieee)


@contextlib.asynccontextmanager
async def touchlink_rig(
    tmp: Path, targets: list[DeviceSpec], *, timing: TouchlinkTiming = FAST_TOUCHLINK
) -> AsyncIterator[TouchlinkRig]:
    """Emulator (the template's lamps plus ``targets``) and a gateway with touchlink."""
    # A long frame log: the start-up backup reads NVRAM for thousands of frames, and the
    # tests read back everything a scan sent.
    config = dataclasses.replace(
        emulator_config(tmp, 4), touchlink_targets=targets, frame_log_size=50_000
    )
    emulator = ZnpEmulator(config)
    path = await emulator.start()
    gateway = await TouchlinkGateway(tmp, path, FAST, timing=timing).start()
    try:
        await gateway.running()
        # The lights bridge reads every lamp after a connect; a read still in flight when
        # touchlink tunes away fails and marks its lamp unreachable (the bridge does not
        # yet hold back while the radio is busy), so the tests start once it is done.
        await until(lambda: not gateway.side.bridge._tasks, timeout=10)
        yield TouchlinkRig(emulator, gateway)
    finally:
        await gateway.stop()
        await emulator.stop()
