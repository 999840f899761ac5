"""``DeconzEmulator``: a virtual ConBee II on a pty, over the ZNP emulator's simulated
network (the same :class:`~hil.emulators.znp.air.Air`, lamps and plugs).

Everything runs on the caller's event loop::

    emu = DeconzEmulator(DeconzConfig(lights=2, state_file=tmp / "deconz.json"))
    path = await emu.start()          # open ``path`` with zigpy-deconz
    emu.unplug(); await emu.replug(); emu.reset()
    await emu.stop()

The layers: :class:`~hil.emulators.znp.transport.PtyPort` moves bytes (no protocol),
:mod:`.slip` finds checked frames, :mod:`.frames` parses requests with zigpy-deconz's
schemas, :class:`~.firmware.Firmware` dispatches to ``handlers/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zigpy.types as zt

from hil.emulators.common.waiters import Waiters
from hil.emulators.znp.air import Air
from hil.emulators.znp.devices.device import SimDevice
from hil.emulators.znp.devices.spec import DeviceSpec, numbered_lights
from hil.emulators.znp.timing import Timing
from hil.emulators.znp.transport import PtyPort

from . import slip, snapshot
from . import state as state_file
from .firmware import Firmware
from .frames import FrameError, FrameLog, FrameRecord, Request, parse_request
from .params import StickConfig
from .timing import StickTiming

LOGGER = logging.getLogger("hil.emulators.deconz.serial")

RequestPredicate = Callable[[Request], bool]


@dataclass
class DeconzConfig:
    """Everything the emulator is started with (CLI flags map 1:1 onto these)."""

    link: Path | None = None  # stable symlink to the pty, like /dev/serial/by-id/...
    state_file: Path | None = None
    lights: int = 0
    devices: list[DeviceSpec] = field(default_factory=list)
    ieee: str | None = None  # stick MAC address (default: from state or random 00:21:2e:...)
    timing: Timing = field(default_factory=Timing)  # the air and the lamps
    stick_timing: StickTiming = field(default_factory=StickTiming)
    channel_energy: dict[int, int] = field(default_factory=dict)
    seed: int | None = None
    usb: bool = True  # ConBee (USB: a reset re-enumerates the port) or RaspBee (UART)
    save_interval: float = 1.0
    frame_log_size: int = 1000

    def all_devices(self) -> list[DeviceSpec]:
        specs = numbered_lights(self.lights) + list(self.devices)
        seen: set[zt.EUI64] = set()
        for spec in specs:
            if spec.ieee in seen:
                raise ValueError(f"device {spec.ieee} is configured twice")
            seen.add(spec.ieee)
        return specs


class DeconzEmulator:
    def __init__(self, config: DeconzConfig | None = None) -> None:
        self.config = config or DeconzConfig()
        self.rng = random.Random(self.config.seed)
        self.air = Air(latency=self.config.timing.hop_latency)
        self.frame_log = FrameLog(self.config.frame_log_size)
        self.decoder = slip.SlipDecoder(self._on_frame, self._on_bad_frame)
        self.port = PtyPort(self.decoder.feed, link=self.config.link, on_host_change=self._host)
        self.devices: dict[zt.EUI64, SimDevice] = {}
        for spec in self.config.all_devices():
            self.add_device(spec)
        self._firmware: Firmware | None = None
        self._waiters: Waiters[Request] = Waiters()
        self._saver: asyncio.Task[None] | None = None
        self._replug: asyncio.TimerHandle | None = None
        self._keep_port: bool | None = None  # set by reset() for that one reset
        self._saved: str | None = None
        self._save_lock = asyncio.Lock()
        self._glued = bytearray()  # noise to send with the next frame (inject)

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> str:
        """Loads the state file, powers the stick and plugs it in; returns the path to open."""
        if self._firmware is not None:
            raise RuntimeError("emulator already started")
        saved = await state_file.load(self.config.state_file) if self.config.state_file else None
        if saved is not None and saved.stick:
            stick = StickConfig.from_json(saved.stick)
        else:
            stick = StickConfig(mac_address=self._new_mac())
        self._firmware = Firmware(
            stick,
            self.air,
            send=self._send,
            timing=self.config.timing,
            stick_timing=self.config.stick_timing,
            rng=self.rng,
            channel_energy=self.config.channel_energy,
            on_reboot=self._rebooted,
        )
        if saved is not None:
            for key, data in saved.devices.items():
                device = self.devices.get(zt.EUI64.convert(key))
                if device is not None:
                    device.load_state(data)
        self._firmware.power_on()
        pts = self.port.open()
        if self.config.state_file is not None:
            self._saved = self._state_json()
            self._saver = asyncio.get_running_loop().create_task(self._save_loop())
        return str(self.config.link) if self.config.link else pts

    async def stop(self) -> None:
        """Unplugs, stops every timer and writes the state file."""
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        if self._replug is not None:
            self._replug.cancel()
            self._replug = None
        self.port.close()
        if self._firmware is not None:
            self._firmware.power_off()
        for device in self.devices.values():
            device.cancel_timers()
        self._waiters.cancel()
        await self.save()

    async def __aenter__(self) -> DeconzEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def firmware(self) -> Firmware:
        if self._firmware is None:
            raise RuntimeError("emulator not started")
        return self._firmware

    @property
    def path(self) -> str | None:
        if self.config.link is not None:
            return str(self.config.link)
        return self.port.slave_path

    @property
    def pty_path(self) -> str | None:
        return self.port.slave_path

    def _new_mac(self) -> zt.EUI64:
        if self.config.ieee:
            return zt.EUI64.convert(self.config.ieee)
        tail = self.rng.randbytes(5)
        return zt.EUI64.convert("00:21:2e:" + ":".join(f"{b:02x}" for b in tail))

    # -- faults --------------------------------------------------------------------------------
    def unplug(self) -> None:
        """Pulls the stick: the host's port fails, the pty and the link vanish."""
        if self._replug is not None:
            self._replug.cancel()
            self._replug = None
        self.port.close()
        self.firmware.power_off()
        self.decoder.reset()
        self._glued.clear()  # held-back noise goes with the port
        self.firmware.log_event("unplugged")

    async def replug(self) -> str:
        """Plugs the stick back in: a new pty, the link points to it again."""
        if self.port.is_open:
            return self.path or ""
        self.firmware.power_on()
        pts = self.port.open()
        self.firmware.log_event(f"plugged in at {pts}")
        return str(self.config.link) if self.config.link else pts

    def reset(self, reason: str = "external", *, keep_port: bool | None = None) -> None:
        """The stick's MCU restarts (as after a watchdog lapse). ``keep_port`` overrides
        the kind for this reset: True resets as a RaspBee would (the UART stays), False
        as a ConBee (re-enumerated on USB); None follows ``config.usb``."""
        self._keep_port = (not self.config.usb) if keep_port is None else keep_port
        self.firmware.reset(reason)

    def _rebooted(self, reason: str) -> None:
        """A ConBee is a USB device: its port disappears while it boots and comes back as
        a new tty. A RaspBee (UART) keeps its port."""
        keep_port = self._keep_port if self._keep_port is not None else not self.config.usb
        self._keep_port = None
        self.decoder.reset()
        if keep_port:
            self.firmware.notify()
            return
        self.port.close()
        self.firmware.powered = False
        loop = asyncio.get_running_loop()
        self._replug = loop.call_later(self.config.stick_timing.reboot, self._reenumerated)

    def _reenumerated(self) -> None:
        self._replug = None
        self.firmware.powered = True
        pts = self.port.open()
        self.firmware.log_event(f"back after reset at {pts}")

    def inject(self, data: bytes, *, glued: bool = False) -> bool:
        """Raw bytes to the host, in order with the stick's own frames (line noise, see
        :mod:`.noise`); False when no host has the port open and nothing was sent.

        ``glued`` holds the bytes back and sends them in one write with the stick's next
        frame, so the host reads noise and frame together: a parser that stumbles on the
        noise then also sits on the good frame behind it (what a real UART's FIFO does).
        """
        if glued:
            if not self.port.host_connected:
                return False
            self._glued += data
            return True
        dropped = self.port.bytes_dropped
        self.port.write(data)
        sent = self.port.bytes_dropped == dropped
        if sent:
            self.firmware.log_event(f"injected {len(data)} bytes of line noise")
        return sent

    # -- devices -------------------------------------------------------------------------------
    def add_device(self, spec: DeviceSpec) -> SimDevice:
        if spec.ieee in self.devices:
            raise ValueError(f"device {spec.ieee} already exists")
        device = SimDevice(spec, timing=self.config.timing, rng=self.rng)
        self.devices[spec.ieee] = device
        self.air.add(device)
        return device

    def device(self, ieee: str | zt.EUI64) -> SimDevice:
        key = ieee if isinstance(ieee, zt.EUI64) else zt.EUI64.convert(ieee)
        try:
            return self.devices[key]
        except KeyError:
            raise KeyError(f"no simulated device {ieee}") from None

    def set_online(self, ieee: str | zt.EUI64, online: bool) -> None:
        self.device(ieee).set_online(online)

    def join(self, ieee: str | zt.EUI64) -> bool:
        return self.device(ieee).try_join()

    def leave(self, ieee: str | zt.EUI64) -> None:
        self.device(ieee).leave(rejoin=False)

    # -- observation ---------------------------------------------------------------------------
    def frame_mark(self) -> int:
        return self.frame_log.last_seq

    def frames(self, since: int = 0) -> list[FrameRecord]:
        return self.frame_log.records(since)

    def requests(self, since: int = 0) -> list[Request]:
        return [r.request for r in self.frame_log.records(since) if r.request is not None]

    async def wait_for_request(
        self, predicate: RequestPredicate, timeout: float = 5.0, *, since: int | None = None
    ) -> Request:
        """Waits for a request from the host matching ``predicate``."""
        if since is not None:
            for request in self.requests(since):
                if predicate(request):
                    return request
        return await self._waiters.wait(predicate, timeout)

    def state(self, frames: int = 20) -> dict[str, Any]:
        """A JSON-able picture of stick, network and devices (the ``state`` command)."""
        return snapshot.describe(self, frames)

    # -- persistence ---------------------------------------------------------------------------
    def _state(self) -> state_file.StateFile:
        return state_file.StateFile(
            stick=self.firmware.config.to_json(),
            devices={str(ieee): d.to_state() for ieee, d in self.devices.items()},
        )

    def _state_json(self) -> str:
        return json.dumps(self._state().to_json(), sort_keys=True)

    async def save(self) -> None:
        """Writes the state file now (no-op without ``state_file``)."""
        if self.config.state_file is None or self._firmware is None:
            return
        async with self._save_lock:
            current = self._state()
            await state_file.save(self.config.state_file, current)
            self._saved = json.dumps(current.to_json(), sort_keys=True)

    async def _save_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.save_interval)
            if self._state_json() != self._saved:
                await asyncio.shield(self.save())

    # -- wiring --------------------------------------------------------------------------------
    def _send(self, frame: bytes, text: str) -> None:
        self.frame_log.add("tx", text, frame)
        LOGGER.debug("-> %s", text)
        noise, self._glued = bytes(self._glued), bytearray()
        self.port.write(noise + slip.encode(frame))

    def _on_frame(self, frame: bytes) -> None:
        try:
            request = parse_request(frame)
        except FrameError as exc:
            self.frame_log.dropped += 1
            self.frame_log.add("drop", str(exc), frame)
            if self._firmware is not None:
                self._firmware.drop(frame, str(exc))
            return
        self.frame_log.add("rx", request.describe(), frame, request)
        LOGGER.debug("<- %s", request.describe())
        self._waiters.offer(request)
        if self._firmware is not None:
            self._firmware.handle(request)

    def _on_bad_frame(self, body: bytes, reason: str) -> None:
        self.frame_log.dropped += 1
        self.frame_log.add("drop", reason, body)
        if self._firmware is not None:
            self._firmware.stats.dropped += 1

    def _host(self, connected: bool) -> None:
        if not connected:
            self.decoder.reset()
        if self._firmware is not None:
            self._firmware.runtime.reported_flags = None  # a new host has been told nothing
            self._firmware.log_event(
                "host opened the port" if connected else "host closed the port"
            )
