"""Fixtures for the deCONZ emulator tests: a real emulator on a pty, driven by the
unmodified zigpy-deconz (``ControllerApplication`` or the low-level ``Deconz`` API).

zigpy-deconz is only *configured* (no backups, topology scans or OTA); none of its code
is patched, so its own delays apply (2 s between OFFLINE and CONNECTED when it writes
network settings): the formed network is made once per session and copied.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zigpy.config as zconf
import zigpy.types as zt
from zigpy_deconz.api import Deconz
from zigpy_deconz.zigbee.application import ControllerApplication

from hil.emulators.deconz import DeconzConfig, DeconzEmulator, StickTiming
from hil.emulators.znp import Timing

LIGHT_1 = zt.EUI64.convert("00:17:88:01:0e:00:00:01")  # extended colour (--lights cycle)
LIGHT_2 = zt.EUI64.convert("00:17:88:01:0e:00:00:02")  # colour temperature
LIGHT_3 = zt.EUI64.convert("00:17:88:01:0e:00:00:03")  # dimmable
FORMED_CHANNEL = 15
STICK_IEEE = "00:21:2e:ff:ff:0a:bc:de"


def app_config(path: str, **network: Any) -> dict[str, Any]:
    """zigpy-deconz configuration for quiet tests (configuration only)."""
    return {
        zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: path},
        zconf.CONF_NWK_BACKUP_ENABLED: False,
        zconf.CONF_TOPO_SCAN_ENABLED: False,
        zconf.CONF_OTA: {zconf.CONF_OTA_ENABLED: False},
        zconf.CONF_NWK: network,
    }


async def start_app(path: str, **network: Any) -> ControllerApplication:
    return await ControllerApplication.new(app_config(path, **network), auto_form=True)


async def eventually(check: Callable[[], bool], timeout: float = 5.0, step: float = 0.01) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(step)


def fast_config(**values: Any) -> DeconzConfig:
    values.setdefault("timing", Timing.fast())
    values.setdefault("stick_timing", StickTiming.fast())
    values.setdefault("seed", 1234)
    return DeconzConfig(**values)


class Rig:
    """Starts emulators and zigpy-deconz applications; tears them all down after a test."""

    def __init__(self, tmp_path: Path, formed_state: Path) -> None:
        self.tmp_path = tmp_path
        self.formed_state = formed_state
        self.emulators: list[DeconzEmulator] = []
        self.apps: list[ControllerApplication] = []
        self.apis: list[Deconz] = []

    def config(self, *, formed: bool = True, **values: Any) -> DeconzConfig:
        """Test timing; ``formed`` starts from the network zigpy-deconz formed once."""
        state = self.tmp_path / f"deconz-{len(self.emulators)}.json"
        if formed and not state.exists():
            shutil.copy(self.formed_state, state)
        values.setdefault("state_file", state)
        return fast_config(**values)

    async def emulator(self, config: DeconzConfig | None = None, **values: Any) -> DeconzEmulator:
        emu = DeconzEmulator(config or self.config(**values))
        await emu.start()
        self.emulators.append(emu)
        return emu

    async def app(self, emu: DeconzEmulator, **network: Any) -> ControllerApplication:
        assert emu.path is not None
        app = await start_app(emu.path, **network)
        self.apps.append(app)
        return app

    async def api(self, emu: DeconzEmulator, listener: Any = None) -> Deconz:
        """The low-level zigpy-deconz API object (no ControllerApplication)."""
        assert emu.path is not None
        app = listener if listener is not None else ApiListener()
        api = Deconz(app, {zconf.CONF_DEVICE_PATH: emu.path, **SERIAL_DEFAULTS})
        await api.connect()
        self.apis.append(api)
        return api

    async def close(self) -> None:
        for app in self.apps:
            with contextlib.suppress(Exception):
                await app.shutdown()
        for api in self.apis:
            with contextlib.suppress(Exception):
                await api.disconnect()
        for emu in self.emulators:
            await emu.stop()


SERIAL_DEFAULTS = {zconf.CONF_DEVICE_BAUDRATE: 115200, zconf.CONF_DEVICE_FLOW_CONTROL: None}


class ApiListener:
    """Stands in for the ControllerApplication the low-level API reports to."""

    def __init__(self) -> None:
        self.lost: list[BaseException | None] = []
        self.packets: list[Any] = []
        self.confirms: list[tuple[int, int]] = []

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)

    def packet_received(self, packet: Any) -> None:
        self.packets.append(packet)

    def handle_tx_confirm(self, req_id: int, status: int) -> None:
        self.confirms.append((req_id, status))


async def _form_once(state: Path) -> None:
    emu = DeconzEmulator(fast_config(state_file=state, seed=99, ieee=STICK_IEEE))
    path = await emu.start()
    app = await start_app(path, channel=FORMED_CHANNEL)
    await app.shutdown()
    await emu.stop()


@pytest.fixture(scope="session")
def formed_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state file holding a network zigpy-deconz formed on channel 15 (made once)."""
    state = tmp_path_factory.mktemp("deconz-formed") / "formed.json"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _form_once(state)).result(timeout=60)
    yield state


@pytest.fixture
async def rig(tmp_path: Path, formed_state: Path) -> AsyncIterator[Rig]:
    rig = Rig(tmp_path, formed_state)
    try:
        yield rig
    finally:
        await rig.close()


class JoinListener:
    """zigpy application listener collecting devices as zigpy finishes interviews."""

    def __init__(self) -> None:
        self.initialized: asyncio.Queue[Any] = asyncio.Queue()
        self.lost: list[BaseException | None] = []

    def device_joined(self, device: Any) -> None:
        """Part of zigpy's listener interface."""

    def raw_device_initialized(self, device: Any) -> None:
        """Part of zigpy's listener interface."""

    def device_initialized(self, device: Any) -> None:
        self.initialized.put_nowait(device)

    def device_left(self, device: Any) -> None:
        """Part of zigpy's listener interface."""

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)


async def join_all(app: ControllerApplication, count: int, timeout: float = 15.0) -> list[Any]:
    listener = JoinListener()
    app.add_listener(listener)
    await app.permit(60)
    devices: list[Any] = []
    async with asyncio.timeout(timeout):
        while len(devices) < count:
            devices.append(await listener.initialized.get())
    return devices


JoinedRig = Callable[..., Awaitable[tuple[DeconzEmulator, ControllerApplication]]]


@pytest.fixture
def joined(rig: Rig) -> JoinedRig:
    """Emulator with lamps, a running zigpy-deconz app, all lamps joined and interviewed."""

    async def make(lights: int = 1, **values: Any) -> tuple[DeconzEmulator, ControllerApplication]:
        emu = await rig.emulator(lights=lights, **values)
        app = await rig.app(emu)
        await join_all(app, lights + len(values.get("devices", [])))
        await app.permit(0)
        return emu, app

    return make
