"""The touchlink rig: the Zigbee rig (emulator on a pty, unmodified zigpy-znp, uvicorn)
with touchlink targets in the emulator and the touchlink service attached to the API,
as ``gateway.app.zigbee_side`` attaches it. Only timings are shortened.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zigpy.types as zt
import zigpy_znp.commands as mt

from gateway.domain.touchlink import TouchlinkService
from gateway.zigbee.touchlink import TouchlinkTiming
from hil.emulators.znp import DeviceKind, DeviceSpec, ZnpEmulator
from hil.emulators.znp.framing import FrameRecord
from tests.zigbee.rig import FAST, Gateway, emulator_config, until

ZLL_COMMISSIONING = 0x1000

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
    """``tests.zigbee.rig.Gateway`` (its Zigbee side owns touchlink, as in production) with
    short touchlink timings, for a chosen radio kind."""

    timing: TouchlinkTiming = FAST_TOUCHLINK

    def __post_init__(self) -> None:
        self.tuning = dataclasses.replace(self.tuning, touchlink=self.timing)

    @property
    def touchlink(self) -> TouchlinkService:
        return self.side.touchlink

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
        yield TouchlinkRig(emulator, gateway)
    finally:
        await gateway.stop()
        await emulator.stop()


def sent(frames: list[FrameRecord], kind: type) -> list[Any]:
    """The commands of type ``kind`` the host sent, in order."""
    return [f.command for f in frames if f.direction == "rx" and isinstance(f.command, kind)]


def touchlink_requests(frames: list[FrameRecord]) -> list[Any]:
    """Inter-PAN data requests (the lights bridge may still be reading lamps at start)."""
    return [r for r in sent(frames, mt.AF.DataRequestExt.Req) if r.ClusterId == ZLL_COMMISSIONING]


def touchlink_traffic(frames: list[FrameRecord]) -> list[Any]:
    """What the host sent for touchlink: inter-PAN control and commissioning-cluster
    requests. Other traffic is left out on purpose: after the radio is released the
    lights bridge reads the lamps, and their answers arrive at any time."""
    return sent(frames, mt.AF.InterPanCtl.Req) + touchlink_requests(frames)
