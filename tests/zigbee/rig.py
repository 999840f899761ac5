"""The integration rig: our ZNP emulator on a real pty, driven by the unmodified zigpy-znp
through the gateway's Zigbee side, with the deCONZ API and websocket on real uvicorn
sockets. Only timings are shortened (emulator ``Timing.fast``, supervisor backoff,
channel-change broadcasts); nothing is faked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import zigpy.types as zt
import zigpy_znp.commands as mt
from websockets.asyncio.client import ClientConnection, connect
from zigpy.zcl import foundation
from zigpy.zcl.clusters.general import Identify, LevelControl, OnOff
from zigpy.zcl.clusters.lighting import Color

from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.websocket import build_websocket_app
from gateway.app.zigbee_side import ZigbeeSide, ZigbeeTuning
from gateway.domain.apikeys import ApiKeyService
from gateway.domain.config import GatewayConfigService
from gateway.domain.events import EventBus
from gateway.domain.radio import RadioState
from gateway.store import Store
from hil.emulators.znp import DeviceSpec, EmulatorConfig, Timing, ZnpEmulator
from hil.emulators.znp.devices.spec import light_ieee
from tests.helpers.harness import ADMIN_PASSWORD, SYSTEM
from tests.helpers.servers import free_port, running_server
from tests.helpers.waiting import until

FAST = ZigbeeTuning(
    backoff_initial=0.05,
    backoff_cap=0.3,
    connect_timeout=20.0,
    channel_change_broadcasts=1,
    permit_renew_interval=1.0,
    interview_retry_delay=0.1,
    flush_interval=0.1,
    leave_timeout=1.0,
    znp_options={"sync_request_timeout": 3, "async_response_timeout": 5},
)


def ieee(index: int) -> str:
    """The emulator's address for lamp ``index`` (kinds cycle: color, ct, dimmable, plug)."""
    return str(light_ieee(index))


@dataclass
class Gateway:
    """The gateway side of the rig: store, config, Zigbee side, API and websocket."""

    tmp: Path
    path: str
    tuning: ZigbeeTuning
    kind: str = "znp"
    store: Store = field(init=False)
    side: ZigbeeSide = field(init=False)
    base: str = ""
    ws_url: str = ""
    key: str = ""
    http: httpx.AsyncClient = field(init=False)
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    async def start(self) -> Gateway:
        self.store = await Store.open(f"sqlite:///{self.tmp / 'gateway.db'}")
        config = GatewayConfigService(
            self.store, system_info=lambda: SYSTEM, initial_password=ADMIN_PASSWORD
        )
        await config.load()
        keys = ApiKeyService(self.store)
        await keys.load()
        events = self.events = EventBus()
        self.side = ZigbeeSide(
            store=self.store,
            events=events,
            config=config,
            kind=self.kind,
            path=self.path,
            state_dir=self.tmp,
            tuning=self.tuning,
        )
        ws_port = free_port()
        services = DeconzServices(
            config=config, api_keys=keys, events=events, websocket_port=ws_port, version="t"
        )
        self.side.attach(services)
        await self.side.start()
        self.base = await self._stack.enter_async_context(
            running_server(build_deconz_app(services))
        )
        ws_base = await self._stack.enter_async_context(
            running_server(build_websocket_app(events), port=ws_port)
        )
        self.ws_url = ws_base.replace("http://", "ws://")
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30)
        config.unlock(60)
        r = await self.http.post("/api", json={"devicetype": "rig#tests"})
        self.key = r.json()[0]["success"]["username"]
        config.unlock(0)
        return self

    async def stop(self) -> None:
        await self.http.aclose()
        await self._stack.aclose()
        await self.side.stop()
        await self.store.close()

    # -- shortcuts -------------------------------------------------------------------------

    @property
    def supervisor(self):
        return self.side.supervisor

    @property
    def lights(self):
        return self.side.lights

    def url(self, path: str) -> str:
        return f"/api/{self.key}{path}"

    async def get(self, path: str) -> Any:
        r = await self.http.get(self.url(path))
        assert r.status_code == 200, r.text
        return r.json()

    async def running(self, timeout: float = 20.0) -> None:
        await until(lambda: self.supervisor.state is RadioState.RUNNING, timeout)

    async def pair(self, count: int, timeout: float = 15.0) -> dict[str, Any]:
        """Search (POST /lights) and wait until ``count`` lights are there."""
        r = await self.http.post(self.url("/lights"))
        assert r.status_code == 200, r.text
        lights = await until(lambda: self._lights_if(count), timeout=timeout, step=0.05)
        return lights

    async def _lights_if(self, count: int) -> dict[str, Any] | None:
        lights = await self.get("/lights")
        return lights if len(lights) >= count else None

    def light_id(self, index: int) -> str:
        for light in self.lights.all():
            if light.address.ieee == ieee(index):
                return light.rid
        raise KeyError(index)

    @contextlib.asynccontextmanager
    async def websocket(self) -> AsyncIterator[EventStream]:
        async with connect(self.ws_url) as ws:
            yield EventStream(ws)


@dataclass
class EventStream:
    ws: ClientConnection

    async def next(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0):
        async with asyncio.timeout(timeout):
            while True:
                event = json.loads(await self.ws.recv())
                if predicate(event):
                    return event


@dataclass
class Rig:
    tmp: Path
    emulator: ZnpEmulator
    gateway: Gateway

    @property
    def gw(self) -> Gateway:
        return self.gateway

    def emu_value(self, index: int, cluster: int, name: str) -> Any:
        return self.emulator.device(ieee(index)).endpoint.value(cluster, name)

    async def restart_gateway(self) -> Gateway:
        await self.gateway.stop()
        self.gateway = await Gateway(self.tmp, self.emulator.path or "", FAST).start()
        return self.gateway


MANUAL_LAMP = "00:17:88:01:0e:99:00:01"  # a lamp that joins only when told to
# What a network template consists of (emulator state, zigpy database, gateway store).
TEMPLATE_FILES = ("znp-state.json", "zigbee.db", "gateway.db", "zigbee-backups")


def emulator_config(tmp: Path, lights: int, manual: bool = False) -> EmulatorConfig:
    devices = [DeviceSpec(ieee=zt.EUI64.convert(MANUAL_LAMP), auto_join=False)] if manual else []
    return EmulatorConfig(
        link=tmp / "ttyZNP",
        state_file=tmp / "znp-state.json",
        lights=lights,
        devices=devices,
        timing=Timing.fast(),
        seed=7,
    )


@contextlib.asynccontextmanager
async def zigbee_rig(
    tmp: Path, *, lights: int = 4, paired: int = 0, manual_lamp: bool = False
) -> AsyncIterator[Rig]:
    """Emulator + gateway; with ``paired`` the lamps are paired through POST /lights."""
    emulator = ZnpEmulator(emulator_config(tmp, lights, manual_lamp))
    path = await emulator.start()
    gateway = await Gateway(tmp, path, FAST).start()
    rig = Rig(tmp, emulator, gateway)
    try:
        await gateway.running()
        if paired:
            await gateway.pair(paired)
        yield rig
    finally:
        await rig.gateway.stop()
        await emulator.stop()


# -- reading what went over the wire --------------------------------------------------------

CLUSTERS = {c.cluster_id: c for c in (OnOff, LevelControl, Identify, Color)}


def decode_zcl(command: Any) -> tuple[str, dict[str, Any]]:
    """An AF.DataRequestExt carrying a cluster-specific command as (name, arguments)."""
    hdr, rest = foundation.ZCLHeader.deserialize(bytes(command.Data))
    definition = CLUSTERS[command.ClusterId].server_commands[hdr.command_id]
    args, _ = definition.schema.deserialize(rest)
    return definition.name, args.as_dict()


def is_cluster_command(command: Any, cluster_id: int, nwk: int | None = None) -> bool:
    """True for an AF.DataRequestExt with a cluster-specific ZCL command to ``cluster_id``
    (and to ``nwk`` when given).

    Profile-wide commands to the same cluster (Read Attributes, Configure Reporting, the
    bridge's refresh after start-up) share the command ids of cluster commands (0x00 is
    both Read Attributes and OnOff "off"), so the frame type must be checked too.
    """
    if not isinstance(command, mt.AF.DataRequestExt.Req) or command.ClusterId != cluster_id:
        return False
    if nwk is not None and command.DstAddrModeAddress.address != nwk:
        return False
    hdr, _ = foundation.ZCLHeader.deserialize(bytes(command.Data))
    return bool(hdr.frame_control.frame_type == foundation.FrameType.CLUSTER_COMMAND)


async def zcl_frame(
    emulator: ZnpEmulator,
    since: int,
    cluster_id: int,
    timeout: float = 5.0,
    *,
    nwk: int | None = None,
):
    """The first cluster command to ``cluster_id`` (and ``nwk``) the emulator received
    after ``since``."""
    command = await emulator.wait_for_frame(
        lambda c: is_cluster_command(c, cluster_id, nwk), timeout, since=since
    )
    return decode_zcl(command)


def commands_to(emulator: ZnpEmulator, since: int, nwk: int) -> list[Any]:
    """The light cluster commands the host sent to ``nwk`` after ``since``.

    Reads and reporting set-up are left out: the bridge's reads after start-up may still
    be on the air when a test looks.
    """
    return [
        request
        for request in data_requests(emulator, since)
        if any(is_cluster_command(request, cluster, nwk) for cluster in CLUSTERS)
    ]


def data_requests(emulator: ZnpEmulator, since: int) -> list[Any]:
    """Every AF.DataRequestExt the host sent after ``since``."""
    return [
        r.command
        for r in emulator.frames(since)
        if r.direction == "rx" and isinstance(r.command, mt.AF.DataRequestExt.Req)
    ]
