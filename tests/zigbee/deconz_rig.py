"""The ConBee rig of the gateway-level tests: the deCONZ emulator (driven by the unmodified
zigpy-deconz) under the gateway's Zigbee side with the deCONZ API on uvicorn, and network
templates made once per module and copied into each test.

Why templates: forming costs zigpy-deconz two seconds of its own (OFFLINE, pause,
CONNECTED) and pairing as much again; most tests only need *a* network, so they start from
a copy (the emulator's state file, zigpy's database, the gateway's store, the backup
directory), the "restart with restore" path that test_deconz_network.py checks on its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation

from hil.emulators.deconz import DeconzConfig, DeconzEmulator, StickTiming
from hil.emulators.deconz.frames import Request
from hil.emulators.znp import DeviceSpec, Timing
from tests.helpers import templates
from tests.zigbee.rig import CLUSTERS, FAST, MANUAL_LAMP, Gateway
from tests.zigbee.test_deconz_gateway import DeconzRig

STATE = "deconz-state.json"
TEMPLATE_FILES = (STATE, "zigbee.db", "gateway.db", "zigbee-backups")


def new_emulator(tmp: Path, lights: int, manual: bool = False) -> DeconzEmulator:
    devices = [DeviceSpec(ieee=zt.EUI64.convert(MANUAL_LAMP), auto_join=False)] if manual else []
    return DeconzEmulator(
        DeconzConfig(
            link=tmp / "ttyConBee",
            state_file=tmp / STATE,
            lights=lights,
            devices=devices,
            timing=Timing.fast(),
            stick_timing=StickTiming.fast(),
            seed=7,
        )
    )


@contextlib.asynccontextmanager
async def conbee_rig(
    tmp: Path, *, lights: int = 0, paired: int = 0, manual_lamp: bool = False
) -> AsyncIterator[DeconzRig]:
    emulator = new_emulator(tmp, lights, manual_lamp)
    path = await emulator.start()
    rig = DeconzRig(tmp, emulator, await Gateway(tmp, path, FAST, kind="deconz").start())
    try:
        await rig.gw.running(timeout=30)
        if paired:
            await rig.gw.pair(paired)
        yield rig
    finally:
        await rig.gw.stop()
        await rig.emulator.stop()


async def restart_gateway(rig: DeconzRig, *, between: Callable[[], None] | None = None) -> Gateway:
    """Stop the rig's gateway and start a new one on the same files; ``between`` runs when
    the old one has stopped (what a new process would start without)."""
    await rig.gw.stop()
    if between is not None:
        between()
    rig.gw = await Gateway(rig.tmp, rig.emulator.path or "", FAST, kind="deconz").start()
    await rig.gw.running(timeout=30)
    return rig.gw


def make_template(directory: Path, *, lights: int = 0, paired: int = 0) -> Path:
    """A formed ConBee network (with ``paired`` lamps), made in a thread of its own:
    outside any test's event loop."""

    async def form() -> None:
        async with conbee_rig(directory, lights=lights, paired=paired):
            pass

    templates.run_in_own_loop(form, timeout=120)
    return directory


def copy_template(source: Path, target: Path) -> Path:
    """Copy a ConBee rig's network (:data:`TEMPLATE_FILES`) into a test's directory."""
    return templates.copy_template(source, target, TEMPLATE_FILES)


def is_cluster_command(request: Request, cluster_id: int, nwk: int) -> bool:
    """A data request carrying a cluster-specific ZCL command to ``cluster_id`` at ``nwk``
    (reads and reporting set-up share command ids with cluster commands, so the frame
    type is checked too)."""
    if request.command.name != "aps_data_request":
        return False
    params = request.params
    if params["cluster_id"] != cluster_id or params["dst"].address != nwk:
        return False
    header, _ = foundation.ZCLHeader.deserialize(bytes(params["asdu"]))
    return bool(header.frame_control.frame_type == foundation.FrameType.CLUSTER_COMMAND)


def decode_zcl(request: Request) -> tuple[str, dict[str, Any]]:
    """A data request's cluster command as (name, arguments)."""
    params = request.params
    header, rest = foundation.ZCLHeader.deserialize(bytes(params["asdu"]))
    definition = CLUSTERS[params["cluster_id"]].server_commands[header.command_id]
    args, _ = definition.schema.deserialize(rest)
    return definition.name, args.as_dict()


def commands_to(emulator: DeconzEmulator, since: int, nwk: int) -> list[Request]:
    """The light cluster commands the host sent to ``nwk`` after ``since``."""
    return [
        r
        for r in emulator.requests(since)
        if any(is_cluster_command(r, cluster, nwk) for cluster in CLUSTERS)
    ]
