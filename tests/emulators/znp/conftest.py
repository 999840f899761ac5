"""Fixtures for the ZNP emulator tests: a real emulator on a pty, driven by the
unmodified zigpy-znp (``ControllerApplication`` or the low-level ``ZNP``).

zigpy-znp is only *configured* for speed (no bootloader-skip pin toggling, no backups,
topology scans or OTA); none of its code is patched.
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
import zigpy_znp.config as znp_conf
from zigpy_znp.api import ZNP
from zigpy_znp.zigbee.application import ControllerApplication

from hil.emulators.znp import DeviceKind, DeviceSpec, EmulatorConfig, Timing, ZnpEmulator

LIGHT_1 = zt.EUI64.convert("00:17:88:01:0e:00:00:01")  # extended colour (--lights cycle)
LIGHT_2 = zt.EUI64.convert("00:17:88:01:0e:00:00:02")  # colour temperature
LIGHT_3 = zt.EUI64.convert("00:17:88:01:0e:00:00:03")  # dimmable
PLUG_4 = zt.EUI64.convert("00:17:88:01:0e:00:00:04")  # on/off plug
FORMED_CHANNEL = 15


def app_config(path: str, **network: Any) -> dict[str, Any]:
    """zigpy-znp configuration for fast, quiet tests (configuration only)."""
    return {
        zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: path},
        znp_conf.CONF_ZNP_CONFIG: {znp_conf.CONF_SKIP_BOOTLOADER: False},
        zconf.CONF_NWK_BACKUP_ENABLED: False,
        zconf.CONF_TOPO_SCAN_ENABLED: False,
        zconf.CONF_OTA: {zconf.CONF_OTA_ENABLED: False},
        zconf.CONF_NWK: network,
    }


def znp_config(path: str) -> dict[str, Any]:
    return znp_conf.CONFIG_SCHEMA(
        {
            zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: path},
            znp_conf.CONF_ZNP_CONFIG: {znp_conf.CONF_SKIP_BOOTLOADER: False},
        }
    )


async def start_app(path: str, **network: Any) -> ControllerApplication:
    return await ControllerApplication.new(app_config(path, **network), auto_form=True)


async def eventually(check: Callable[[], bool], timeout: float = 5.0, step: float = 0.01) -> None:
    """Polls ``check`` until true; fails the test with the last state otherwise."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(step)


class Rig:
    """Starts emulators and zigpy applications and tears them all down after a test."""

    def __init__(self, tmp_path: Path, formed_state: Path) -> None:
        self.tmp_path = tmp_path
        self.formed_state = formed_state
        self.emulators: list[ZnpEmulator] = []
        self.apps: list[ControllerApplication] = []
        self.znps: list[ZNP] = []

    def config(self, *, formed: bool = True, **values: Any) -> EmulatorConfig:
        """An emulator config with test timing; ``formed`` starts from a network that
        zigpy-znp formed once per session (saves ~1 s per test)."""
        state = self.tmp_path / f"znp-{len(self.emulators)}.json"
        if formed and not state.exists():
            shutil.copy(self.formed_state, state)
        values.setdefault("state_file", state)
        values.setdefault("timing", Timing.fast())
        values.setdefault("seed", 1234)
        return EmulatorConfig(**values)

    async def emulator(self, config: EmulatorConfig | None = None, **values: Any) -> ZnpEmulator:
        emu = ZnpEmulator(config or self.config(**values))
        await emu.start()
        self.emulators.append(emu)
        return emu

    async def app(self, emu: ZnpEmulator, **network: Any) -> ControllerApplication:
        assert emu.path is not None
        app = await start_app(emu.path, **network)
        self.apps.append(app)
        return app

    async def znp(self, emu: ZnpEmulator) -> ZNP:
        assert emu.path is not None
        znp = ZNP(znp_config(emu.path))
        await znp.connect()
        self.znps.append(znp)
        return znp

    async def close(self) -> None:
        for app in self.apps:
            with contextlib.suppress(Exception):
                await app.shutdown()
        for znp in self.znps:
            with contextlib.suppress(Exception):
                await znp.disconnect()
        for emu in self.emulators:
            await emu.stop()


async def _form_once(state: Path) -> None:
    emu = ZnpEmulator(
        EmulatorConfig(
            state_file=state, timing=Timing.fast(), seed=99, ieee="00:12:4b:00:1c:a1:b2:c3"
        )
    )
    path = await emu.start()
    app = await start_app(path, channel=FORMED_CHANNEL)
    await app.shutdown()
    await emu.stop()


@pytest.fixture(scope="session")
def formed_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state file holding a network zigpy-znp formed on channel 15 (made once)."""
    state = tmp_path_factory.mktemp("znp-formed") / "formed.json"
    # Its own loop in a worker thread, so pytest-asyncio's loops are left alone.
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
        self.joined: list[Any] = []
        self.left: list[Any] = []
        self.lost: list[BaseException | None] = []

    def device_joined(self, device: Any) -> None:
        self.joined.append(device)

    def raw_device_initialized(self, device: Any) -> None:
        """Part of zigpy's listener interface; nothing to record."""

    def device_initialized(self, device: Any) -> None:
        self.initialized.put_nowait(device)

    def device_left(self, device: Any) -> None:
        self.left.append(device)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)


async def join_all(app: ControllerApplication, count: int, timeout: float = 10.0) -> list[Any]:
    """Opens joins and waits until zigpy has interviewed ``count`` new devices."""
    listener = JoinListener()
    app.add_listener(listener)
    await app.permit(60)
    devices = []
    async with asyncio.timeout(timeout):
        while len(devices) < count:
            devices.append(await listener.initialized.get())
    return devices


JoinedRig = Callable[..., Awaitable[tuple[ZnpEmulator, ControllerApplication]]]


@pytest.fixture
def joined(rig: Rig) -> JoinedRig:
    """Emulator with lamps, a running zigpy app, all lamps joined and interviewed."""

    async def make(lights: int = 1, **values: Any) -> tuple[ZnpEmulator, ControllerApplication]:
        emu = await rig.emulator(lights=lights, **values)
        app = await rig.app(emu)
        await join_all(app, lights + len(values.get("devices", [])))
        await app.permit(0)
        return emu, app

    return make


def plug_spec(ieee: str = "00:12:4b:00:22:33:44:55") -> DeviceSpec:
    return DeviceSpec(ieee=zt.EUI64.convert(ieee), kind=DeviceKind.ON_OFF_PLUG)
