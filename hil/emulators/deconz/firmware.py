"""The simulated ConBee II firmware: command dispatch, device state, power and watchdog.

``Firmware.handle`` looks the request up in the handler table (``handlers/``), sends the
answer with the request's sequence number and then, if the device-state flags moved,
a ``device_state_changed`` notification — the flow control zigpy-deconz lives by
(data indication pending, data confirm pending, free APS request slots). The firmware
is the coordinator the shared :class:`~hil.emulators.znp.air.Air` talks to, so the ZNP
emulator's lamps join it, answer it and report to it unchanged.
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
from zigpy_deconz.api import (
    CommandId,
    DeviceState,
    DeviceStateFlags,
    FirmwarePlatform,
    FirmwareVersion,
    NetworkState,
    NetworkState2,
    Status,
)

from hil.emulators.znp.air import Air, ApsFrame, NetworkId
from hil.emulators.znp.timing import Timing

from . import network
from .frames import UNSOLICITED_SEQ, Request, build_frame
from .params import StickConfig
from .runtime import APS_SLOTS, Indication, Runtime
from .timing import StickTiming

if TYPE_CHECKING:
    from hil.emulators.znp.devices.device import Membership, SimDevice

LOGGER = logging.getLogger(__name__)

#: ConBee II firmware 0x26780700 (major 0x26, minor 0x78, platform ConBee II).
DEFAULT_VERSION = FirmwareVersion(
    reserved=0, platform=FirmwarePlatform.Conbee_II, minor=0x78, major=0x26
)
#: Serial protocol version: watchdog TTL (>= 0x0108), neighbours, manual source routes.
PROTOCOL_VERSION = 0x010C


@dataclass
class Stats:
    commands: int = 0
    dropped: int = 0  # frames that were not a valid request
    formations: int = 0
    resets: int = 0
    watchdog_resets: int = 0
    indications_lost: int = 0  # the host did not read them in time (queue full)
    peak_slots_in_use: int = 0  # most APS requests held at once


Handler = Callable[["Firmware", Request], dict[str, Any] | None]


class Firmware:
    def __init__(
        self,
        config: StickConfig,
        air: Air,
        *,
        send: Callable[[bytes, str], None],
        timing: Timing,
        stick_timing: StickTiming,
        rng: random.Random,
        channel_energy: dict[int, int] | None = None,
        version: FirmwareVersion = DEFAULT_VERSION,
        on_reboot: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.air = air
        self.timing = timing
        self.stick_timing = stick_timing
        self.rng = rng
        self.channel_energy = dict(channel_energy or {})
        self.version = version
        self.protocol_version = PROTOCOL_VERSION
        self.runtime = Runtime()
        self.powered = False
        self.stats = Stats()
        self.events: list[str] = []
        self._send = send
        self._on_reboot = on_reboot
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        air.coordinator = self

    # -- serial commands -------------------------------------------------------------------
    def handle(self, request: Request) -> None:
        from .handlers import HANDLERS

        if not self.powered:
            return
        self.stats.commands += 1
        handler = HANDLERS.get(request.command)
        if handler is None:  # parse_request already refuses these; belt and braces
            self.drop(request.raw, f"no handler for {request.command.name}")
            return
        try:
            values = handler(self, request)
        except Exception:  # a handler bug must cost only this frame, like bad input
            LOGGER.exception("handler for %s failed", request.describe())
            values = {"status": Status.ERROR}
        if values is not None:
            self.answer(request, values)
        self.notify()

    def drop(self, raw: bytes, reason: str) -> None:
        """A frame that is not a valid request: logged, counted, nothing else happens."""
        self.stats.dropped += 1
        LOGGER.warning("dropped host frame %s: %s", raw.hex(), reason)

    def answer(self, request: Request, values: dict[str, Any]) -> None:
        values.setdefault("status", Status.SUCCESS)
        state = values.get("device_state")
        # zigpy-deconz feeds these answers to its device-state handler, but only when
        # their status is SUCCESS (an error answer raises before it looks at the flags).
        if (
            state is not None
            and request.command in _STATE_CARRIERS
            and values["status"] == Status.SUCCESS
        ):
            self.runtime.reported_flags = int(state.serialize()[0])
        self.send(request.command, request.seq, values)

    def send(self, command: CommandId, seq: int, values: dict[str, Any]) -> None:
        if not self.powered:
            return
        frame = build_frame(command, seq, values)
        shown = {k: v for k, v in values.items() if k not in ("asdu",)}
        self._send(frame, f"{command.name}(seq={seq}, {shown})")

    def device_state(self) -> DeviceState:
        runtime = self.runtime
        flags = DeviceStateFlags(0)
        if runtime.confirms:
            flags |= DeviceStateFlags.APSDE_DATA_CONFIRM
        if runtime.indications:
            flags |= DeviceStateFlags.APSDE_DATA_INDICATION
        if runtime.slots_in_use < APS_SLOTS:
            flags |= DeviceStateFlags.APSDE_DATA_REQUEST_FREE_SLOTS_AVAILABLE
        return DeviceState(
            network_state=NetworkState2(int(runtime.network_state)), device_state=flags
        )

    def notify(self) -> None:
        """``device_state_changed`` when the state differs from what the host last saw."""
        if not self.powered:
            return
        state = self.device_state()
        packed = int(state.serialize()[0])
        if packed == self.runtime.reported_flags:
            return
        self.runtime.reported_flags = packed
        self.send(
            CommandId.device_state_changed,
            UNSOLICITED_SEQ,
            {"status": Status.SUCCESS, "device_state": state, "reserved": 0},
        )

    # -- timers (cancelled by reset and power loss) ------------------------------------------
    def later(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def run() -> None:
            self._timers.discard(handle)
            callback(*args)

        handle = loop.call_later(delay, run)
        self._timers.add(handle)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _cancel_all(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self.runtime.watchdog is not None:
            self.runtime.watchdog.cancel()

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def log_event(self, text: str) -> None:
        LOGGER.info("%s", text)
        self.events.append(f"{time.strftime('%H:%M:%S')} {text}")
        del self.events[:-100]

    # -- power, reset, watchdog ---------------------------------------------------------------
    def power_on(self) -> None:
        self.powered = True
        self.runtime = Runtime()

    def power_off(self) -> None:
        self._cancel_all()
        self.runtime = Runtime()
        self.powered = False

    def reset(self, reason: str) -> None:
        """The MCU restarts: RAM is lost, the network is OFFLINE until the host starts it."""
        if not self.powered:
            return
        self.stats.resets += 1
        self.log_event(f"reset ({reason})")
        self._cancel_all()
        self.runtime = Runtime()
        if self._on_reboot is not None:
            self._on_reboot(reason)

    def arm_watchdog(self, ttl: int) -> None:
        """``watchdog_ttl``: the host promises to write again within ``ttl`` seconds."""
        runtime = self.runtime
        if runtime.watchdog is not None:
            runtime.watchdog.cancel()
            runtime.watchdog = None
        runtime.watchdog_deadline = None
        if ttl <= 0:
            return
        runtime.watchdog_deadline = self.now() + ttl
        runtime.watchdog = asyncio.get_running_loop().call_later(ttl, self._watchdog_lapsed)

    def watchdog_remaining(self) -> int:
        deadline = self.runtime.watchdog_deadline
        return 0 if deadline is None else max(0, round(deadline - self.now()))

    def _watchdog_lapsed(self) -> None:
        self.runtime.watchdog = None
        self.stats.watchdog_resets += 1
        self.log_event("watchdog TTL lapsed: the host stopped feeding it")
        self.reset("watchdog")

    # -- network state -------------------------------------------------------------------------
    def change_network_state(self, target: NetworkState) -> None:
        runtime = self.runtime
        if target == runtime.network_state or target == runtime.target_state:
            return
        if target == NetworkState.CONNECTED:
            runtime.target_state = target
            runtime.network_state = NetworkState.JOINING
            self._after(self.stick_timing.network_start, self._start_network)
        elif target == NetworkState.OFFLINE:
            runtime.target_state = target
            runtime.network_state = NetworkState.LEAVING
            runtime.permit_until = 0.0
            self._after(self.stick_timing.network_stop, self._stop_network)

    def _after(self, delay: float, callback: Callable[[], None]) -> None:
        if delay <= 0:
            callback()
        else:
            self.later(delay, self._then_notify, callback)

    def _then_notify(self, callback: Callable[[], None]) -> None:
        callback()
        self.notify()

    def _start_network(self) -> None:
        self.runtime.target_state = None
        formed = network.form(self)
        if formed is None:
            self.runtime.network_state = NetworkState.OFFLINE
            self.log_event("network start refused: incomplete network parameters")
            return
        self.runtime.network_state = NetworkState.CONNECTED
        self.log_event(
            f"network up on channel {formed.channel}, PAN 0x{formed.pan_id:04x},"
            f" extended PAN {formed.extended_pan_id}"
        )

    def _stop_network(self) -> None:
        self.runtime.target_state = None
        self.runtime.network_state = NetworkState.OFFLINE
        self.log_event("network offline")

    # -- the coordinator radio, as the air sees it ------------------------------------------------
    @property
    def ieee(self) -> zt.EUI64:
        return self.config.mac_address

    @property
    def air_channel(self) -> int | None:
        formed = self.config.network
        if not self.powered or not self.runtime.connected or formed is None:
            return None
        return formed.channel

    @property
    def air_network(self) -> NetworkId | None:
        formed = self.config.network
        if not self.powered or not self.runtime.connected or formed is None:
            return None
        return NetworkId(formed.extended_pan_id, formed.pan_id)

    def receive_from_air(self, frame: ApsFrame, device: SimDevice) -> None:
        from .aps import indicate

        indicate(self, frame)

    def queue_indication(self, indication: Indication) -> None:
        queue = self.runtime.indications
        if queue.maxlen is not None and len(queue) == queue.maxlen:
            self.stats.indications_lost += 1
            LOGGER.warning("indication queue full: oldest frame for the host dropped")
        queue.append(indication)
        self.notify()

    def permit_open(self) -> bool:
        return self.runtime.connected and self.now() < self.runtime.permit_until

    def set_permit(self, seconds: int) -> None:
        was_open = self.permit_open()
        self.runtime.permit_until = self.now() + seconds if seconds else 0.0
        if seconds and not was_open:
            self.log_event(f"permit join open for {seconds} s")
            self.air.permit_opened()
        elif not seconds and was_open:
            self.log_event("permit join closed")

    def permit_remaining(self) -> int:
        if not self.permit_open():
            return 0
        return min(255, max(0, round(self.runtime.permit_until - self.now())))

    def request_join(self, device: SimDevice) -> Membership | None:
        return network.admit(self, device)

    def device_left(self, device: SimDevice, rejoin: bool) -> None:
        network.leave(self, device, rejoin)

    def count_frame(self) -> None:
        """One secured NWK frame sent: the frame counter moves on."""
        self.config.frame_counter = (self.config.frame_counter + 1) & 0xFFFFFFFF

    def energy(self, channel: int) -> int:
        """Energy detected on a channel (0..255): configured noise or a quiet default."""
        if channel in self.channel_energy:
            return self.channel_energy[channel]
        return 8 + (channel * 37) % 23


#: Answers zigpy-deconz feeds to its device-state handler (so they count as "told").
_STATE_CARRIERS = frozenset(
    {CommandId.aps_data_request, CommandId.aps_data_confirm, CommandId.aps_data_indication}
)
