"""The rig's Zigbee side: a coordinator and the lights around it, emulated or real.

Why the two kinds share one interface (:class:`ZigbeeSide`): the HIL scenarios are the same
on the virtual rig (every CI run) and on real dongles (before a release), so they only ask
what both can answer; what a real rig may lack is a ``None``/``False`` field that
:meth:`hil.rig.Rig.need` turns into a skip naming the variable to set (``missing_*``).

* :class:`VirtualZigbee` — an emulated stick started here as a process on a pty behind a
  stable link: the ZNP emulator (``python -m hil.emulators.znp``, driven by zigpy-znp) or
  the ConBee II emulator (``python -m hil.emulators.deconz``, driven by zigpy-deconz);
  ``hil/conftest.py`` runs the scenarios on each (:data:`VIRTUAL_STICKS`).
* :class:`HardwareZigbee` — ``GATEWAY_HIL_ZIGBEE=/dev/zigbee`` (a real stick,
  ``GATEWAY_HIL_ZIGBEE_KIND`` ``znp`` or ``deconz``) and what the environment says is near it.
"""

from __future__ import annotations

import os
import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hil.faults import (
    CommandLightPower,
    EmulatorControl,
    EmulatorLightPower,
    EmulatorStick,
    LightPower,
    StickPower,
    UhubctlStick,
)
from hil.processes import ChildProcess
from hil.rig_environment import (
    ENV_CHANNEL_CHANGE,
    ENV_JOIN_LIGHT,
    ENV_LIGHT,
    ENV_LIGHT_POWER,
    ENV_TOUCHLINK,
    ENV_USB_POWER,
    ENV_VIRTUAL_STICKS,
    ENV_ZIGBEE,
    ENV_ZIGBEE_BAUDRATE,
    ENV_ZIGBEE_KIND,
    RigConfigError,
    ieee_from_environment,
)
from hil.virtual_radio import KINDS

PRIMARY_CHANNELS = (11, 15, 20, 25)
_ZNP_READY = re.compile(r"^ready path=(\S+) pty=(\S+) control=(\S+)")

# The virtual rig's devices (python -m hil.emulators.znp --lights 2 ...): lamp kinds cycle
# extended colour, colour temperature (hil/emulators/znp/README.md).
VIRTUAL_LIGHT = "00:17:88:01:0e:00:00:01"
VIRTUAL_JOIN_LIGHT = "00:17:88:01:0e:00:00:02"
VIRTUAL_TOUCHLINK_TARGET = "00:17:88:01:7c:00:00:25"
VIRTUAL_TOUCHLINK_CHANNEL = 25
#: The emulated sticks the virtual rig can run (hil/virtual_radio.py ``KINDS``), in the
#: order the suite runs them; ``GATEWAY_HIL_VIRTUAL_STICKS`` picks some.
VIRTUAL_STICKS = ("znp", "deconz")
#: What the gateway's journal says when the coordinator reset itself while powered: a
#: Z-Stack sends SYS_RESET_IND and keeps its port; a ConBee re-enumerates on USB, so the
#: gateway sees its port fail.
RESET_LOG = {"znp": r"coordinator reset", "deconz": r"Zigbee radio connection lost"}
RESET_REASON = {"znp": "Watchdog", "deconz": "watchdog"}


def zigbee_variants(environ: Mapping[str, str] | None = None) -> list[str]:
    """The Zigbee sides the scenarios run on, one session rig each.

    A real stick is the only one there is (its ``GATEWAY_HIL_ZIGBEE_KIND``); the virtual rig
    runs every emulated stick (:data:`VIRTUAL_STICKS`), or those ``GATEWAY_HIL_VIRTUAL_STICKS``
    lists (``znp``, ``deconz``, comma-separated) for a quicker run of one.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_ZIGBEE):
        kind = env.get(ENV_ZIGBEE_KIND, "").strip() or "znp"
        if kind not in VIRTUAL_STICKS:
            raise RigConfigError(f"{ENV_ZIGBEE_KIND}: znp or deconz, got {kind!r}")
        return [kind]
    raw = env.get(ENV_VIRTUAL_STICKS, "").strip()
    if not raw:
        return list(VIRTUAL_STICKS)
    chosen = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [c for c in chosen if c not in VIRTUAL_STICKS]
    if unknown or not chosen:
        raise RigConfigError(
            f"{ENV_VIRTUAL_STICKS}: a comma-separated list of {', '.join(VIRTUAL_STICKS)}, "
            f"got {raw!r}"
        )
    return list(dict.fromkeys(chosen))


@dataclass(frozen=True)
class LightReading:
    """A light's state as the light itself has it (read from the emulator)."""

    on: bool
    level: int | None
    color_temperature: int | None
    x: int | None
    y: int | None
    online: bool
    channel: int | None


class ZigbeeSide(ABC):
    """The coordinator and the lights the scenarios may use."""

    virtual: bool
    kind: str  # radio.kind
    path: str  # radio.path
    baudrate: int = 115200
    light: str | None = None  # a light in pairing range, for commands
    join_light: str | None = None  # a light that may leave and join again
    join_light_type: str | None = None
    touchlink_target: str | None = None
    touchlink_channel: int | None = None
    stick: StickPower | None = None
    light_power: LightPower | None = None
    channel_change: bool = False
    can_reset_coordinator: bool = False
    reset_log: str = RESET_LOG["znp"]  # the journal line of a coordinator reset

    def start(self, workdir: Path, sockets: Path) -> None:  # noqa: B027 - optional hook
        """Bring the peer up (the virtual stick); a real one is just there."""

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Take the peer down."""

    @abstractmethod
    def describe(self) -> str: ...

    async def read_light(self, ieee: str) -> LightReading | None:
        """The light's own state, where the rig can see it (the emulator); else None."""
        return None

    async def radio_network(self) -> tuple[int, int] | None:
        """(channel, PAN id) as the coordinator has them, where the rig can see it."""
        return None

    async def factory_new(self, ieee: str) -> bool | None:
        """Whether the light is out of every network, where the rig can see it."""
        return None

    async def reset_coordinator(self) -> bool:
        """Make the coordinator reset itself (watchdog reset, RAM lost, network stopped),
        without touching its USB power (``can_reset_coordinator``); False where it cannot."""
        return False

    async def reset_coordinator_keeping_port(self) -> bool:
        """Reset a deCONZ stick as a RaspBee resets (its UART stays open, only the network
        goes down, zigpy-deconz notices nothing); False where the rig cannot."""
        return False

    async def rescue(self, ieee: str) -> None:  # noqa: B027 - optional hook
        """Clean-up after a failed scenario: reset a light stuck in the network without
        being the gateway's and make it join again, where the rig can (virtual)."""

    # Why each requirement exists, for the skip message on hardware.
    missing_light = f"a Zigbee light in pairing range: set {ENV_LIGHT}=<its IEEE address>"
    missing_stick = (
        f"a way to unplug the stick: set {ENV_USB_POWER}=<uhubctl location>:<port> "
        "(a hub with per-port power switching)"
    )
    missing_light_power = (
        f"a way to switch the light's mains: set {ENV_LIGHT_POWER}='<command with {{state}}>'"
    )
    missing_touchlink = (
        f"a touchlink target near the stick: set {ENV_TOUCHLINK}=<its IEEE address> "
        f"(and a ZNP stick: {ENV_ZIGBEE_KIND}=znp)"
    )
    missing_reset = (
        "a way to reset the coordinator while it stays powered (a watchdog reset); only the "
        "virtual rig has one"
    )
    missing_channel_change = (
        f"permission to move the real network to another channel: set {ENV_CHANNEL_CHANGE}=1"
    )


class VirtualZigbee(ZigbeeSide):
    """An emulated stick as its own process: two lamps, and on ZNP a touchlink target.

    ``stick`` picks the emulator (:data:`hil.virtual_radio.KINDS`): ``znp`` (a CC2652 with
    Z-Stack, driven by zigpy-znp as ``radio.kind = "znp"``) or ``deconz`` (a ConBee II,
    driven by zigpy-deconz as ``radio.kind = "deconz"``). Both put the same simulated lamps
    on the air and answer the same control protocol, so only what a ConBee cannot do
    differs: no touchlink target (the deCONZ serial protocol has no inter-PAN), and a
    coordinator reset that re-enumerates the USB port instead of a ``SYS_RESET_IND``.
    ``--fast`` shortens the emulated stack's own delays (MT round trips, joins, the channel
    switch broadcast delay); the gateway's timings stay as shipped.
    """

    virtual = True

    def __init__(self, stick: str = "znp") -> None:
        if stick not in VIRTUAL_STICKS:
            known = ", ".join(VIRTUAL_STICKS)
            raise RigConfigError(f"virtual stick: one of {known}, got {stick!r}")
        self.stick_kind = stick
        self.kind = stick  # the emulated stick is driven as the real one (radio.kind)
        self.light = VIRTUAL_LIGHT
        self.join_light = VIRTUAL_JOIN_LIGHT
        self.join_light_type = "Color temperature light"
        if stick == "znp":
            self.touchlink_target = VIRTUAL_TOUCHLINK_TARGET
            self.touchlink_channel = VIRTUAL_TOUCHLINK_CHANNEL
        self.reset_log = RESET_LOG[stick]
        self.channel_change = True
        self.can_reset_coordinator = True
        self.path = ""
        self._child: ChildProcess | None = None
        self.control: EmulatorControl | None = None

    def describe(self) -> str:
        label = KINDS[self.stick_kind].label
        return f"virtual Zigbee stick ({label} process on a pty, radio.kind = {self.kind})"

    def start(self, workdir: Path, sockets: Path) -> None:
        stick = KINDS[self.stick_kind]
        link = workdir / stick.link
        control = sockets / f"{self.stick_kind}.sock"
        argv = [
            sys.executable,
            "-m",
            stick.module,
            "--link",
            str(link),
            "--state",
            str(workdir / stick.state_file),
            "--control",
            str(control),
            "--lights",
            "2",
            "--fast",
        ]
        if self.touchlink_target is not None:
            argv += [
                "--touchlink-target",
                f"channel={self.touchlink_channel},type=extended_color,factory_new=0,"
                f"ieee={self.touchlink_target}",
            ]
        name = f"{self.stick_kind}-emulator"
        self._child = ChildProcess(name, argv, workdir / f"{name}.log")
        self._child.start(_ZNP_READY, timeout=30)
        self.path = str(link)
        self.control = EmulatorControl(control)
        self.stick = EmulatorStick(self.control, self.path)
        self.light_power = EmulatorLightPower(self.control)

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()

    async def read_light(self, ieee: str) -> LightReading | None:
        assert self.control is not None
        device = await self.control("device", ieee=ieee)
        clusters = device.get("clusters", {})

        def attr(cluster: str, name: str) -> Any:
            return clusters.get(cluster, {}).get("attributes", {}).get(name)

        return LightReading(
            on=bool(attr("0x0006", "on_off")),
            level=attr("0x0008", "current_level"),
            color_temperature=attr("0x0300", "color_temperature"),
            x=attr("0x0300", "current_x"),
            y=attr("0x0300", "current_y"),
            online=bool(device.get("online")),
            channel=device.get("channel"),
        )

    async def factory_new(self, ieee: str) -> bool | None:
        assert self.control is not None
        device = await self.control("device", ieee=ieee)
        return bool(device.get("factory_new"))

    async def reset_coordinator(self) -> bool:
        assert self.control is not None
        # The same fault, each emulator's spelling (Z-Stack's ResetReason / deCONZ's).
        await self.control("reset", reason=RESET_REASON[self.stick_kind])
        return True

    async def reset_coordinator_keeping_port(self) -> bool:
        if self.stick_kind != "deconz":
            return False
        assert self.control is not None
        await self.control("reset", reason=RESET_REASON["deconz"], port="keep")
        return True

    async def rescue(self, ieee: str) -> None:
        assert self.control is not None
        await self.control("factory_reset", ieee=ieee)
        await self.control("join", ieee=ieee)

    async def radio_network(self) -> tuple[int, int] | None:
        assert self.control is not None
        state = await self.control("state", frames=0)
        network = state.get("network")
        if not network:
            return None
        return int(network["channel"]), int(str(network["pan_id"]), 0)


class HardwareZigbee(ZigbeeSide):
    """A real coordinator on a serial port, and what the environment says is around it."""

    virtual = False

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.path = environ[ENV_ZIGBEE]
        kind = environ.get(ENV_ZIGBEE_KIND, "znp").strip() or "znp"
        if kind not in ("znp", "deconz"):
            raise RigConfigError(f"{ENV_ZIGBEE_KIND}: znp or deconz, got {kind!r}")
        self.kind = kind
        baudrate = environ.get(ENV_ZIGBEE_BAUDRATE, "").strip()
        if baudrate:
            if not baudrate.isdigit():
                raise RigConfigError(f"{ENV_ZIGBEE_BAUDRATE}: a number, got {baudrate!r}")
            self.baudrate = int(baudrate)
        self.light = ieee_from_environment(environ, ENV_LIGHT)
        self.join_light = ieee_from_environment(environ, ENV_JOIN_LIGHT) or self.light
        if kind == "znp":
            self.touchlink_target = ieee_from_environment(environ, ENV_TOUCHLINK)
        usb = environ.get(ENV_USB_POWER, "").strip()
        if usb:
            location, sep, port = usb.rpartition(":")
            if not sep or not location or not port:
                raise RigConfigError(f"{ENV_USB_POWER}: expected LOCATION:PORT, e.g. 1-1.3:2")
            self.stick = UhubctlStick(location, port, self.path)
        power = environ.get(ENV_LIGHT_POWER, "").strip()
        if power:
            if "{state}" not in power:
                raise RigConfigError(f"{ENV_LIGHT_POWER}: the command needs {{state}} in it")
            self.light_power = CommandLightPower(power)
        self.channel_change = environ.get(ENV_CHANNEL_CHANGE, "") == "1"

    def describe(self) -> str:
        return f"real Zigbee stick {self.path} (radio.kind = {self.kind})"
