"""``ZnpEmulator``: the virtual CC2652 stick, its lamps and its faults, in one object.

Use it in-process (tests, the gateway's virtual rig) or through ``python -m
hil.emulators.znp`` and its control socket. Everything runs on the caller's event loop::

    emu = ZnpEmulator(EmulatorConfig(lights=2, state_file=tmp / "znp.json"))
    path = await emu.start()          # open ``path`` with zigpy-znp
    ...
    emu.unplug(); await emu.replug(); emu.reset()
    emu.set_online("00:17:88:01:0e:00:00:01", False)
    cmd = await emu.wait_for_frame(c.AF.DataRequestExt.Req(partial=True, ClusterId=6))
    await emu.stop()
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
import zigpy_znp.types as t

from hil.emulators.common.waiters import Waiters

from . import network, persistence
from .air import Air
from .air_log import AirLog
from .devices.device import SimDevice
from .devices.sensor import make_device
from .devices.spec import DeviceSpec, numbered_lights
from .framing import FrameLog, FrameRecord, MtFramer
from .nvram import NvStore, factory_nvram
from .timing import Timing
from .touchlink import Touchlink
from .transport import PtyPort
from .zstack import ZStack

LOGGER = logging.getLogger(__name__)

FramePredicate = Callable[[Any], bool]


@dataclass
class EmulatorConfig:
    """Everything the emulator is started with (CLI flags map 1:1 onto these)."""

    link: Path | None = None  # stable symlink to the pty, like /dev/serial/by-id/...
    state_file: Path | None = None  # NVRAM + device state, JSON
    lights: int = 0  # numbered lamps (kinds cycle: color, ct, dimmable, plug)
    devices: list[DeviceSpec] = field(default_factory=list)
    touchlink_targets: list[DeviceSpec] = field(default_factory=list)
    ieee: str | None = None  # coordinator hardware address (default: from state or random)
    timing: Timing = field(default_factory=Timing)
    channel_energy: dict[int, int] = field(default_factory=dict)  # energy scan noise 0..255
    seed: int | None = None
    save_interval: float = 1.0
    frame_log_size: int = 1000

    def all_devices(self) -> list[DeviceSpec]:
        specs = numbered_lights(self.lights) + list(self.devices) + list(self.touchlink_targets)
        seen: set[zt.EUI64] = set()
        for spec in specs:
            if spec.ieee in seen:
                raise ValueError(f"device {spec.ieee} is configured twice")
            seen.add(spec.ieee)
        return specs


class ZnpEmulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.rng = random.Random(self.config.seed)
        timing = self.config.timing
        self.air = Air(latency=timing.hop_latency)
        self.air_log = AirLog()  # every APS frame on the air (groupcasts counted here)
        self.air.observers.append(self.air_log.record)
        self.frame_log = FrameLog(self.config.frame_log_size)
        self.framer = MtFramer(
            write=self._write,
            on_command=self._on_command,
            on_malformed=self._on_malformed,
            log=self.frame_log,
        )
        self.port = PtyPort(self.framer.feed, link=self.config.link, on_host_change=self._host)
        self.devices: dict[zt.EUI64, SimDevice] = {}
        self.touchlink_targets = {spec.ieee for spec in self.config.touchlink_targets}
        for spec in self.config.all_devices():
            self.add_device(spec)
        self._stack: ZStack | None = None
        self._touchlink: Touchlink | None = None
        self._waiters: Waiters[Any] = Waiters()
        self._saver: asyncio.Task[None] | None = None
        self._saved: str | None = None
        self._save_lock = asyncio.Lock()

    # -- life cycle --------------------------------------------------------------------
    async def start(self) -> str:
        """Loads the state file, powers the stick and plugs it in; returns the path to
        open (the ``link`` if configured, else the pty)."""
        if self._stack is not None:
            raise RuntimeError("emulator already started")
        state = await persistence.load(self.config.state_file) if self.config.state_file else None
        ieee = self._hardware_ieee(state)
        nv = (
            NvStore.from_json(state.nvram)
            if state is not None and state.nvram
            else factory_nvram(ieee)
        )
        self._stack = ZStack(
            nv,
            self.air,
            send=self.framer.send,
            hardware_ieee=ieee,
            timing=self.config.timing,
            rng=self.rng,
            channel_energy=self.config.channel_energy,
        )
        self._touchlink = Touchlink(self._stack)
        self._stack.touchlink = self._touchlink
        if state is not None:
            for key, data in state.devices.items():
                device = self.devices.get(zt.EUI64.convert(key))
                if device is not None:
                    device.load_state(data)
        self._stack.power_on()
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
        self.port.close()
        if self._stack is not None:
            self._stack.power_off()
        for device in self.devices.values():
            device.cancel_timers()
        self._waiters.cancel()
        await self.save()

    async def __aenter__(self) -> ZnpEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def stack(self) -> ZStack:
        if self._stack is None:
            raise RuntimeError("emulator not started")
        return self._stack

    @property
    def touchlink(self) -> Touchlink:
        if self._touchlink is None:
            raise RuntimeError("emulator not started")
        return self._touchlink

    @property
    def path(self) -> str | None:
        """What the host should open: the stable link, else the current pty."""
        if self.config.link is not None:
            return str(self.config.link)
        return self.port.slave_path

    @property
    def pty_path(self) -> str | None:
        return self.port.slave_path

    def _hardware_ieee(self, state: persistence.StateFile | None) -> zt.EUI64:
        if state is not None and state.coordinator_ieee:
            return zt.EUI64.convert(state.coordinator_ieee)
        if self.config.ieee:
            return zt.EUI64.convert(self.config.ieee)
        tail = self.rng.randbytes(4)
        return zt.EUI64.convert("00:12:4b:00:" + ":".join(f"{b:02x}" for b in tail))

    # -- faults ---------------------------------------------------------------------------
    def unplug(self) -> None:
        """Pulls the stick: the host's port fails, the pty and the link vanish."""
        self.port.close()
        self.stack.power_off()
        self.framer.reset_buffer()
        self.stack.log_event("unplugged")

    async def replug(self) -> str:
        """Plugs the stick back in: a new pty, the link points to it again."""
        if self.port.is_open:
            return self.path or ""
        self.stack.power_on()
        pts = self.port.open()
        self.stack.log_event(f"plugged in at {pts}")
        return str(self.config.link) if self.config.link else pts

    def reset(self, reason: t.ResetReason = t.ResetReason.Watchdog) -> None:
        """A coordinator reset (watchdog by default): SYS_RESET_IND follows, RAM state is
        lost and the network stays down until the host starts it again."""
        self.stack.log_event(f"reset ({reason.name})")
        self.stack.reset(reason)

    # -- devices ----------------------------------------------------------------------------
    def add_device(self, spec: DeviceSpec) -> SimDevice:
        if spec.ieee in self.devices:
            raise ValueError(f"device {spec.ieee} already exists")
        device = make_device(spec, timing=self.config.timing, rng=self.rng)
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
        """Mains power of one device (off: no APS acks, data confirms fail)."""
        self.device(ieee).set_online(online)

    def join(self, ieee: str | zt.EUI64) -> bool:
        """Makes a factory-new device try to join now; True if the coordinator let it in."""
        return self.device(ieee).try_join()

    def leave(self, ieee: str | zt.EUI64) -> None:
        """The device leaves the network on its own (as after a button reset)."""
        self.device(ieee).leave(rejoin=False)

    # -- observation --------------------------------------------------------------------------
    @property
    def network(self) -> network.NetworkParams | None:
        return None if self._stack is None else self._stack.network_params()

    def frame_mark(self) -> int:
        """A position in the frame log; pass it as ``since`` to see later frames only."""
        return self.frame_log.last_seq

    def frames(self, since: int = 0) -> list[FrameRecord]:
        return self.frame_log.records(since)

    async def wait_for_frame(
        self, predicate: FramePredicate | Any, timeout: float = 5.0, *, since: int | None = None
    ) -> Any:
        """Waits for a frame from the host, decoded as a zigpy-znp command.

        ``predicate`` is a callable or a partial zigpy-znp command to match (e.g.
        ``c.SYS.ResetReq.Req(partial=True)``). With ``since`` (from :meth:`frame_mark`),
        frames already received after that mark count too.
        """
        match = _matcher(predicate)
        if since is not None:
            for record in self.frame_log.records(since):
                if (
                    record.direction == "rx"
                    and record.command is not None
                    and match(record.command)
                ):
                    return record.command
        return await self._waiters.wait(match, timeout)

    def state(self, frames: int = 20) -> dict[str, Any]:
        """A JSON-able picture of stick, network and devices (the ``state`` command)."""
        stack = self._stack
        coordinator: dict[str, Any] = {
            "plugged": self.port.is_open,
            "path": self.path,
            "pty": self.port.slave_path,
            "host_connected": self.port.host_connected,
        }
        net = None
        if stack is not None:
            runtime = stack.runtime
            remaining = max(0.0, runtime.permit_until - stack.now()) if runtime.running else 0.0
            coordinator.update(
                ieee=str(stack.ieee),
                powered=stack.powered,
                booting=runtime.booting,
                device_state=runtime.device_state.name,
                running=runtime.running,
                permit_join_remaining=round(remaining, 1),
                endpoints=sorted(runtime.endpoints),
                interpan_channel=runtime.interpan.channel,
                air_channel=stack.air_channel,
                stats=vars(stack.stats),
            )
            params = stack.network_params()
            if params is not None:
                net = {
                    "channel": params.channel,
                    "pan_id": f"0x{params.pan_id:04x}",
                    "extended_pan_id": str(params.extended_pan_id),
                    "network_key": str(params.network_key),
                    "nwk_update_id": params.nwk_update_id,
                    "frame_counter": stack.frame_counter(),
                }
        recent = self.frame_log.records(max(0, self.frame_log.last_seq - frames))
        return {
            "coordinator": coordinator,
            "network": net,
            "devices": [
                {**d.snapshot(), "touchlink_target": d.ieee in self.touchlink_targets}
                for d in self.devices.values()
            ],
            "frames": {
                "received": self.frame_log.received,
                "sent": self.frame_log.sent,
                "dropped": self.frame_log.dropped,
                "last_seq": self.frame_log.last_seq,
                "recent": [r.describe() for r in recent],
            },
            "events": list(stack.events[-30:]) if stack else [],
            "touchlink": self._touchlink.snapshot() if self._touchlink else None,
        }

    # -- persistence -------------------------------------------------------------------------
    def _state_file(self) -> persistence.StateFile:
        stack = self.stack
        return persistence.StateFile(
            coordinator_ieee=str(stack.hardware_ieee),
            nvram=stack.nv.to_json(),
            devices={str(ieee): d.to_state() for ieee, d in self.devices.items()},
        )

    def _state_json(self) -> str:
        return json.dumps(self._state_file().to_json(), sort_keys=True)

    async def save(self) -> None:
        """Writes the state file now (no-op without ``state_file``). Saves never
        overlap, so the last one started is the one left on disk."""
        if self.config.state_file is None or self._stack is None:
            return
        async with self._save_lock:
            state = self._state_file()
            await persistence.save(self.config.state_file, state)
            self._saved = json.dumps(state.to_json(), sort_keys=True)

    async def _save_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.save_interval)
            if self._state_json() != self._saved:
                # Shielded: stopping must not abandon a write half-way; stop() then
                # waits for it on the lock and writes the final state after it.
                await asyncio.shield(self.save())

    # -- wiring -------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        self.port.write(data)

    def _on_command(self, command: Any) -> None:
        self._waiters.offer(command)
        if self._stack is not None:
            self._stack.handle(command)

    def _on_malformed(self, header: t.CommandHeader) -> None:
        if self._stack is not None:
            self._stack.handle_malformed(header)

    def _host(self, connected: bool) -> None:
        if not connected:
            self.framer.reset_buffer()
        if self._stack is not None:
            self._stack.log_event("host opened the port" if connected else "host closed the port")


def _matcher(predicate: FramePredicate | Any) -> FramePredicate:
    if hasattr(predicate, "matches") and hasattr(predicate, "header"):
        return lambda command: type(command) is type(predicate) and bool(predicate.matches(command))
    if callable(predicate):
        return predicate
    raise TypeError("predicate must be callable or a partial zigpy-znp command")
