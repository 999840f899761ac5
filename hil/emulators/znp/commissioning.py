"""Starting the network: BDB commissioning (Z-Stack 3) and ZDO startup (Z-Stack 1.2 API).

The callback sequences are the ones zigpy-znp relies on: a fresh formation reports
InProgress, StartingAsCoordinator, StartedAsCoordinator and Success; a restart of an
already formed network reports StartedAsCoordinator, NetworkRestored and then a
FormationFailure notification (which is what real Z-Stack 3.30 firmware sends).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.commands.app_config import BDBCommissioningMode as Mode
from zigpy_znp.commands.app_config import BDBCommissioningStatus as BdbStatus
from zigpy_znp.types.nvids import OsalNvIds

from . import network

if TYPE_CHECKING:
    from .zstack import ZStack

STEERING_PERMIT_S = 180


def _notify(stack: ZStack, status: BdbStatus, mode: Mode, remaining: Mode) -> None:
    stack.send(
        c.AppConfig.BDBCommissioningNotification.Callback(
            Status=status, Mode=mode, RemainingModes=remaining
        )
    )


def _state(stack: ZStack, state: t.DeviceState) -> None:
    stack.runtime.device_state = state
    stack.send(c.ZDO.StateChangeInd.Callback(State=state))


def start_bdb(stack: ZStack, mode: Mode) -> t.Status:
    """APP_CNF_BDB_START_COMMISSIONING: runs in the background, reports by callbacks."""
    if stack.runtime.commissioning:
        return t.Status.FAILURE
    stack.runtime.commissioning = True
    stack.spawn(_bdb(stack, mode))
    return t.Status.SUCCESS


async def _bdb(stack: ZStack, mode: Mode) -> None:
    try:
        if mode & Mode.NwkFormation:
            await _formation(stack)
        if mode & Mode.NwkSteering:
            await asyncio.sleep(stack.timing.formation_step)
            if stack.runtime.running:
                stack.set_permit(STEERING_PERMIT_S)
                _notify(stack, BdbStatus.Success, Mode.NwkSteering, Mode.NONE)
            else:
                _notify(stack, BdbStatus.NoNetwork, Mode.NwkSteering, Mode.NONE)
        if mode & ~(Mode.NwkFormation | Mode.NwkSteering):
            _notify(
                stack, BdbStatus.Success, mode & ~(Mode.NwkFormation | Mode.NwkSteering), Mode.NONE
            )
    finally:
        stack.runtime.commissioning = False


async def _formation(stack: ZStack) -> None:
    step = stack.timing.formation_step
    if stack.runtime.running:
        _notify(stack, BdbStatus.FormationFailure, Mode.NwkFormation, Mode.NONE)
        return
    if network.is_formed(stack.nv):
        await asyncio.sleep(step)
        _state(stack, t.DeviceState.StartedAsCoordinator)
        _notify(stack, BdbStatus.NetworkRestored, Mode.NONE, Mode.NwkFormation)
        _notify(stack, BdbStatus.FormationFailure, Mode.NwkFormation, Mode.NONE)
        _network_up(stack, restored=True)
        return
    _notify(stack, BdbStatus.InProgress, Mode.NwkFormation, Mode.NwkFormation)
    _state(stack, t.DeviceState.StartingAsCoordinator)
    channels = list(stack.runtime.bdb_primary) or list(stack.runtime.bdb_secondary)
    if not channels:
        await asyncio.sleep(step)
        stack.runtime.device_state = t.DeviceState.InitializedNotStarted
        _notify(stack, BdbStatus.FormationFailure, Mode.NwkFormation, Mode.NONE)
        return
    # Energy scan of the primary channels, then an active scan for PAN id conflicts.
    await asyncio.sleep(step * (1 + len(channels) / 4))
    channel = min(channels, key=lambda ch: (stack.energy(int(ch)), int(ch)))
    network.form(stack.nv, int(channel), stack.rng)
    stack.stats.formations += 1
    await asyncio.sleep(step)
    _state(stack, t.DeviceState.StartedAsCoordinator)
    _notify(stack, BdbStatus.Success, Mode.NwkFormation, Mode.NONE)
    _network_up(stack, restored=False)


def _network_up(stack: ZStack, *, restored: bool) -> None:
    params = stack.network_params()
    if params is None:
        return
    stack.log_event(
        f"network {'restored' if restored else 'formed'}: channel {params.channel},"
        f" PAN 0x{params.pan_id:04x}, ext PAN {params.extended_pan_id}"
    )


def startup_from_app(stack: ZStack) -> c.zdo.StartupState:
    """ZDO_STARTUP_FROM_APP (the pre-BDB API): restore or form, then start."""
    if stack.runtime.running:
        return c.zdo.StartupState.RestoredNetworkState
    formed = network.is_formed(stack.nv)
    stack.spawn(_startup(stack, formed))
    return c.zdo.StartupState.RestoredNetworkState if formed else c.zdo.StartupState.NewNetworkState


async def _startup(stack: ZStack, formed: bool) -> None:
    await asyncio.sleep(stack.timing.formation_step)
    if not formed:
        _state(stack, t.DeviceState.StartingAsCoordinator)
        mask = stack.nv.read(OsalNvIds.CHANLIST, t.Channels) or t.Channels.NO_CHANNELS
        channels = list(mask) or list(stack.runtime.bdb_primary) or [11]
        channel = min(channels, key=lambda ch: (stack.energy(int(ch)), int(ch)))
        network.form(stack.nv, int(channel), stack.rng)
        stack.stats.formations += 1
        await asyncio.sleep(stack.timing.formation_step)
    _state(stack, t.DeviceState.StartedAsCoordinator)
    _network_up(stack, restored=formed)
