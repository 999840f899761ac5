"""The simulated CC26x2 running Z-Stack 3.30: MT dispatch, power, reset and radio.

``ZStack.handle`` looks up the command class in the per-subsystem handler tables
(``handlers/*.py``), sends what the handler returns (SRSP first, then callbacks) and
answers SREQs it does not know with the RPC error Z-Stack sends. Longer procedures
(formation, scans, data confirms) run as timers or tasks owned by the stack, so a reset
or an unplug cancels them as a real reboot would.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.types.nvids import OsalNvIds

from . import network
from .air import Air, ApsFrame, NetworkId
from .firmware import SUBSYSTEMS, VERSION
from .handlers import HANDLERS
from .nvram import NvStore, factory_nvram
from .runtime import CoordinatorRuntime
from .timing import Timing

if TYPE_CHECKING:
    from .devices.device import Membership, SimDevice
    from .touchlink import Touchlink

LOGGER = logging.getLogger(__name__)


@dataclass
class Stats:
    formations: int = 0
    resets: int = 0
    commands: int = 0
    unknown_commands: int = 0


class ZStack:
    def __init__(
        self,
        nv: NvStore,
        air: Air,
        *,
        send: Callable[[Any], None],
        hardware_ieee: zt.EUI64,
        timing: Timing,
        rng: random.Random,
        channel_energy: dict[int, int] | None = None,
    ) -> None:
        self.nv = nv
        self.air = air
        self.timing = timing
        self.rng = rng
        self.hardware_ieee = hardware_ieee
        self.channel_energy = dict(channel_energy or {})
        self.runtime = CoordinatorRuntime()
        self.powered = False
        self.stats = Stats()
        self.touchlink: Touchlink | None = None
        self._send = send
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._power_on_time = time.monotonic()
        self.events: list[str] = []
        self._params: network.NetworkParams | None = None
        self._params_generation = -1
        air.coordinator = self

    # -- MT ------------------------------------------------------------------------------
    def handle(self, command: Any) -> None:
        """Runs one request from the host."""
        if not self.powered:
            return
        if self.runtime.booting:
            LOGGER.debug("dropping %r: still booting", command)
            return
        handler = HANDLERS.get(type(command))
        self.stats.commands += 1
        if handler is None:
            if command.header.type == t.CommandType.SREQ:
                self._not_recognized(command.header)
            return
        try:
            replies = handler(self, command)
        except Exception:
            LOGGER.exception("handler for %r failed", command)
            if command.header.type == t.CommandType.SREQ:
                self._not_recognized(command.header, c.rpc_error.ErrorCode.InvalidParameter)
            return
        for reply in replies:
            self.send(reply)

    def handle_malformed(self, header: t.CommandHeader) -> None:
        """Z-Stack answers an SREQ it cannot parse with an RPC error; other frames are
        silently dropped. Nothing else changes."""
        if self.powered and not self.runtime.booting and header.type == t.CommandType.SREQ:
            error = (
                c.rpc_error.ErrorCode.InvalidParameter
                if header in c.COMMANDS_BY_ID
                else c.rpc_error.ErrorCode.InvalidCommandId
            )
            self._not_recognized(header, error)

    def _not_recognized(self, header: t.CommandHeader, error: Any = None) -> None:
        self.stats.unknown_commands += 1
        if error is None:
            error = (
                c.rpc_error.ErrorCode.InvalidCommandId
                if header.subsystem in SUBSYSTEMS
                else c.rpc_error.ErrorCode.InvalidSubsystem
            )
        self.send(c.RPCError.CommandNotRecognized.Rsp(ErrorCode=error, RequestHeader=header))

    def send(self, command: Any) -> None:
        if self.powered and command is not None:
            self._send(command)

    # -- timers and tasks (cancelled by reset and power loss) ------------------------------
    def later(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def run() -> None:
            self._timers.discard(handle)
            callback(*args)

        handle = loop.call_later(delay, run)
        self._timers.add(handle)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOGGER.error("stack task failed", exc_info=task.exception())

    def _cancel_all(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def uptime(self) -> int:
        return int(time.monotonic() - self._power_on_time)

    def log_event(self, text: str) -> None:
        """Notable stack events, kept for the ``state`` control command."""
        LOGGER.info("%s", text)
        self.events.append(f"{time.strftime('%H:%M:%S')} {text}")
        del self.events[:-100]

    # -- power and reset -----------------------------------------------------------------
    def power_on(self) -> None:
        """Plugged in: the chip boots and sends SYS_RESET_IND (lost if nobody listens)."""
        self.powered = True
        self._power_on_time = time.monotonic()
        self._reboot(t.ResetReason.PowerUp)

    def power_off(self) -> None:
        self._cancel_all()
        self.runtime = CoordinatorRuntime()
        self.powered = False

    def reset(self, reason: t.ResetReason = t.ResetReason.PowerUp) -> None:
        """SYS_RESET_REQ or a watchdog: RAM state is lost, NVRAM startup options apply."""
        if not self.powered:
            return
        self._reboot(reason)

    def _reboot(self, reason: t.ResetReason) -> None:
        self._cancel_all()
        self.runtime = CoordinatorRuntime(booting=True)
        self.stats.resets += 1
        self.later(self.timing.reset, self._booted, reason)

    def _booted(self, reason: t.ResetReason) -> None:
        self._apply_startup_options()
        self.runtime.booting = False
        self.runtime.started_at = self.now()
        self.send(c.SYS.ResetInd.Callback(Reason=reason, **VERSION))

    def _apply_startup_options(self) -> None:
        options = self.nv.read(OsalNvIds.STARTUP_OPTION, t.StartupOptions)
        if options and options & (t.StartupOptions.ClearState | t.StartupOptions.ClearConfig):
            keep = None if options & t.StartupOptions.ClearNwkFrameCounter else self.nv
            self.nv.replace_contents(factory_nvram(self.hardware_ieee, keep_frame_counters=keep))
            self.log_event("NVRAM cleared by startup options")
        if options:
            self.nv.write(OsalNvIds.STARTUP_OPTION, t.StartupOptions.NONE)
        if OsalNvIds.EXTADDR not in self.nv.legacy:
            self.nv.write(OsalNvIds.EXTADDR, self.hardware_ieee)

    # -- the radio, as the air sees it ------------------------------------------------------
    @property
    def ieee(self) -> zt.EUI64:
        value = self.nv.read(OsalNvIds.EXTADDR, t.EUI64)
        return zt.EUI64(value) if value is not None else self.hardware_ieee

    @property
    def air_channel(self) -> int | None:
        if not self.powered or self.runtime.booting:
            return None
        if self.runtime.interpan.channel is not None:
            return self.runtime.interpan.channel
        params = self.network_params() if self.runtime.running else None
        return None if params is None else params.channel

    @property
    def air_network(self) -> NetworkId | None:
        if not self.powered or not self.runtime.running:
            return None
        params = self.network_params()
        if params is None:
            return None
        return NetworkId(zt.EUI64(params.extended_pan_id), params.pan_id)

    def count_frame(self) -> None:
        """One secured NWK frame sent: the network frame counter moves on."""
        params = self.network_params()
        if params is not None:
            network.next_frame_counter(self.nv, params.extended_pan_id)

    def frame_counter(self) -> int:
        params = self.network_params()
        return 0 if params is None else network.read_frame_counter(self.nv, params.extended_pan_id)

    def network_params(self) -> network.NetworkParams | None:
        """Decoded from NVRAM; cached until NVRAM changes (it is read per frame)."""
        if self._params_generation != self.nv.generation:
            self._params = network.network_params(self.nv)
            self._params_generation = self.nv.generation
        return self._params

    def receive_from_air(self, frame: ApsFrame, device: SimDevice) -> None:
        from .inbound import deliver_to_host

        deliver_to_host(self, frame, device)

    # -- trust center -------------------------------------------------------------------------
    def permit_open(self) -> bool:
        return self.runtime.running and self.now() < self.runtime.permit_until

    def set_permit(self, duration: int) -> None:
        was_open = self.permit_open()
        self.runtime.permit_until = self.now() + duration if duration else 0.0
        if duration and not was_open:
            self.log_event(f"permit join open for {duration} s")
            self.air.permit_opened()
        elif not duration and was_open:
            self.log_event("permit join closed")

    def request_join(self, device: SimDevice) -> Membership | None:
        from .trustcenter import admit

        return admit(self, device)

    def device_left(self, device: SimDevice, rejoin: bool) -> None:
        from .trustcenter import leave

        leave(self, device, rejoin)

    def energy(self, channel: int) -> int:
        """Energy detected on a channel (0..255): configured noise or a quiet default."""
        if channel in self.channel_energy:
            return self.channel_energy[channel]
        return 8 + (channel * 37) % 23
