"""The bindings' integration world: both buses real, nothing faked.

- Zigbee: our ZNP emulator on a pty, driven by the unmodified zigpy-znp through the
  gateway's Zigbee side (``tests.zigbee.rig``), with four paired lamps;
- KNX: our KNXnet/IP emulator on loopback, the gateway's ``KnxLink`` tunnelled to it over
  xknx, and a second xknx tunnel as the wall switch and bus monitor (``hil.knx_monitor``);
- the bindings side exactly as the gateway assembles it, and the deCONZ API with the
  bindings routes on a real uvicorn socket.

Shared by ``test_bindings_e2e.py`` and ``bench/bench_bindings.py``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.bindings import BINDING_ROUTES
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.routes import ROUTES
from gateway.app.bindings_side import BindingsSide
from gateway.domain.apikeys import ApiKeyService
from gateway.domain.config import GatewayConfigService
from gateway.domain.events import EventBus
from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator, ServerOptions, default_devices
from hil.knx_monitor import BusMonitor
from tests.helpers.harness import SYSTEM
from tests.helpers.servers import running_server
from tests.zigbee.rig import Rig, zigbee_rig


@dataclass
class World:
    rig: Rig
    knx: KnxEmulator | None
    link: KnxLink
    side: BindingsSide
    wall: BusMonitor  # absent (None) with another KNX server: its own tools are the wall
    http: httpx.AsyncClient
    key: str

    def url(self, path: str) -> str:
        return f"/api/{self.key}{path}"

    async def create(self, body: dict[str, Any]) -> str:
        r = await self.http.post(self.url("/bindings"), json=body)
        assert r.status_code == 200, r.text
        return str(r.json()[0]["success"]["id"])

    def light_id(self, lamp: int) -> str:
        return self.rig.gw.light_id(lamp)


def knx_settings(port: int) -> KnxSection:
    return KnxSection(
        mode="tunnel_udp",
        gateway_host="127.0.0.1",
        gateway_port=port,
        probe_interval=0.3,
        request_timeout=1.0,
    )


@contextlib.asynccontextmanager
async def bindings_world(
    directory: Path,
    *,
    settle: float = 0.3,
    lights: int = 4,
    knx_port: int | None = None,
    zigbee: contextlib.AbstractAsyncContextManager[Rig] | None = None,
) -> AsyncIterator[World]:
    """``directory`` must hold a paired network (``tests.zigbee.conftest`` templates).

    With ``knx_port`` the gateway tunnels to that server (knxd) instead of our emulator,
    and there is no xknx wall switch (``wall`` is None). ``zigbee`` replaces the lamps'
    rig (the sensors rig, ``tests.sensors.rig``).
    """
    async with contextlib.AsyncExitStack() as stack:
        rig = await stack.enter_async_context(zigbee or zigbee_rig(directory, lights=lights))
        knx = None
        if knx_port is None:
            knx = KnxEmulator(default_devices(), options=ServerOptions(heartbeat_timeout=30))
            await knx.start()
            stack.push_async_callback(knx.stop)
            knx_port = knx.port
        # Wall-clock timestamps, to compare with the ZNP emulator's frame log.
        link = KnxLink(knx_settings(knx_port), clock=time.time)
        await link.start()
        stack.push_async_callback(link.stop)
        await link.wait_for_state(LinkState.CONNECTED, 10)
        store = rig.gw.store
        events: EventBus = rig.gw.events  # type: ignore[attr-defined]
        side_of = rig.gw.side
        side = BindingsSide(
            store,
            events,
            link,
            side_of.lights,
            groups=side_of.groups,
            scenes=side_of.scenes,
            sensors=side_of.sensors,
            settle=settle,
            poll_interval=0.05,
        )
        await side.start(None)
        stack.push_async_callback(side.stop)
        config = GatewayConfigService(store, system_info=lambda: SYSTEM)
        await config.load()
        keys = ApiKeyService(store)
        await keys.load()
        services = DeconzServices(
            config=config, api_keys=keys, events=events, websocket_port=0, version="t"
        )
        services.lights, services.groups, services.scenes = (
            side_of.lights,
            side_of.groups,
            side_of.scenes,
        )
        services.sensors = side_of.sensors
        side.attach(services)
        base = await stack.enter_async_context(
            running_server(build_deconz_app(services, routes=[*ROUTES, *BINDING_ROUTES]))
        )
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
        wall: Any = None
        if knx is not None:
            wall = await stack.enter_async_context(BusMonitor("127.0.0.1", knx.port))
        yield World(rig, knx, link, side, wall, http, rig.gw.key)
