"""The rig the HIL scenarios run on: the gateway process and its two peers, virtual or real.

Why one class with two kinds of sides: the scenarios must be the same on the virtual rig
(every CI run) and on real dongles (before a release), so they talk only to what both
have — the gateway's HTTP/websocket/sd_notify interfaces, a KNX bus monitor, and the fault
hooks of :mod:`hil.faults`. Each side is chosen by the environment on its own:

* Zigbee: ``GATEWAY_HIL_ZIGBEE=/dev/zigbee`` (a real stick, ``GATEWAY_HIL_ZIGBEE_KIND``
  ``znp`` or ``deconz``) or, when unset, the ZNP emulator started here as a process
  (``python -m hil.emulators.znp``) on a pty behind a stable link;
* KNX: ``GATEWAY_HIL_KNX=192.0.2.10:3671`` (a real KNX IP interface) or, when unset, the
  KNX emulator started here as a process (``python -m hil.emulators.knx``).

In both cases the gateway is configured as on a Pi — ``radio.kind = "znp"`` (or
``deconz``) with ``radio.path``, ``knx.mode = "tunnel_udp"`` with ``knx.gateway_host`` and
``knx.gateway_port`` — never ``virtual``: only the peers differ. Its KNX tunnel goes
through :class:`hil.knx_relay.KnxRelay` so that the tunnel can be cut on either rig.

What a scenario needs and a hardware rig may lack (a light, a way to power-cycle the
stick, a touchlink target, a KNX actuator ...) is asked for with :meth:`Rig.need`, which
skips the scenario with a message naming the missing hardware and the variable to set.
The virtual rig has everything, so on it nothing skips.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from gateway.app.admin_password import read_password_file
from hil.faults import (
    CommandLightPower,
    EmulatorControl,
    EmulatorLightPower,
    EmulatorStick,
    LightPower,
    StickPower,
    UhubctlStick,
)
from hil.gateway_process import THINKNX_PASSWORD, THINKNX_USER, GatewayProcess, GatewaySettings
from hil.knx_relay import KnxRelay
from hil.processes import ChildProcess, NotifySocket, free_port

T = TypeVar("T")

ENV_ZIGBEE = "GATEWAY_HIL_ZIGBEE"
ENV_ZIGBEE_KIND = "GATEWAY_HIL_ZIGBEE_KIND"
ENV_ZIGBEE_BAUDRATE = "GATEWAY_HIL_ZIGBEE_BAUDRATE"
ENV_LIGHT = "GATEWAY_HIL_LIGHT"
ENV_JOIN_LIGHT = "GATEWAY_HIL_JOIN_LIGHT"
ENV_LIGHT_POWER = "GATEWAY_HIL_LIGHT_POWER"
ENV_USB_POWER = "GATEWAY_HIL_USB_POWER"
ENV_TOUCHLINK = "GATEWAY_HIL_TOUCHLINK_TARGET"
ENV_CHANNEL_CHANGE = "GATEWAY_HIL_CHANNEL_CHANGE"
ENV_KNX = "GATEWAY_HIL_KNX"
ENV_KNX_SWITCH = "GATEWAY_HIL_KNX_SWITCH"
ENV_KNX_BYTE = "GATEWAY_HIL_KNX_BYTE"
ENV_STATE_DIR = "GATEWAY_HIL_STATE_DIR"

PRIMARY_CHANNELS = (11, 15, 20, 25)
_IEEE = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){7}$")
_GA = re.compile(r"^\d{1,2}/\d{1,2}/\d{1,3}$")
_ZNP_READY = re.compile(r"^ready path=(\S+) pty=(\S+) control=(\S+)")
_KNX_READY = re.compile(r"^KNX emulator listening on ([0-9.]+):(\d+)\b")

# The virtual rig's devices (python -m hil.emulators.znp --lights 2 ...): lamp kinds cycle
# extended colour, colour temperature (hil/emulators/znp/README.md).
VIRTUAL_LIGHT = "00:17:88:01:0e:00:00:01"
VIRTUAL_JOIN_LIGHT = "00:17:88:01:0e:00:00:02"
VIRTUAL_TOUCHLINK_TARGET = "00:17:88:01:7c:00:00:25"
VIRTUAL_TOUCHLINK_CHANNEL = 25
# Emulator default devices (hil/emulators/knx/README.md): living_room_light, and a group
# address no device uses, where a raw byte harms nothing.
VIRTUAL_KNX_SWITCH = ("1/0/1", "1/0/2")
VIRTUAL_KNX_BYTE = "7/7/1"

SWITCH_GUID = "hil_switch"


class RigConfigError(ValueError):
    """A ``GATEWAY_HIL_*`` variable is malformed; the message names it."""


def _ieee(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    if not _IEEE.match(value):
        raise RigConfigError(f"{name}: expected an IEEE address like 00:17:88:01:0e:00:00:01")
    return value.lower()


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


# -- Zigbee side ------------------------------------------------------------------------------


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
    """The ZNP emulator as its own process: two lamps and a touchlink target.

    ``--fast`` shortens the emulated stack's own delays (MT round trips, joins, the channel
    switch broadcast delay); the gateway's timings stay as shipped.
    """

    virtual = True
    kind = "znp"

    def __init__(self) -> None:
        self.light = VIRTUAL_LIGHT
        self.join_light = VIRTUAL_JOIN_LIGHT
        self.join_light_type = "Color temperature light"
        self.touchlink_target = VIRTUAL_TOUCHLINK_TARGET
        self.touchlink_channel = VIRTUAL_TOUCHLINK_CHANNEL
        self.channel_change = True
        self.can_reset_coordinator = True
        self.path = ""
        self._child: ChildProcess | None = None
        self.control: EmulatorControl | None = None

    def describe(self) -> str:
        return "virtual Zigbee stick (ZNP emulator process on a pty)"

    def start(self, workdir: Path, sockets: Path) -> None:
        link = workdir / "ttyZNP"
        control = sockets / "znp.sock"
        target = (
            f"channel={VIRTUAL_TOUCHLINK_CHANNEL},type=extended_color,factory_new=0,"
            f"ieee={VIRTUAL_TOUCHLINK_TARGET}"
        )
        argv = [
            sys.executable,
            "-m",
            "hil.emulators.znp",
            "--link",
            str(link),
            "--state",
            str(workdir / "znp-state.json"),
            "--control",
            str(control),
            "--lights",
            "2",
            "--touchlink-target",
            target,
            "--fast",
        ]
        self._child = ChildProcess("znp-emulator", argv, workdir / "znp-emulator.log")
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
        await self.control("reset", reason="Watchdog")
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
        self.light = _ieee(environ, ENV_LIGHT)
        self.join_light = _ieee(environ, ENV_JOIN_LIGHT) or self.light
        if kind == "znp":
            self.touchlink_target = _ieee(environ, ENV_TOUCHLINK)
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


# -- KNX side ---------------------------------------------------------------------------------


class KnxSide(ABC):
    """The KNX IP interface and the bus objects the scenarios may use."""

    virtual: bool
    interface: tuple[str, int] = ("127.0.0.1", 3671)
    switch: tuple[str, str] | None = None  # (command, status) group addresses
    byte_ga: str | None = None

    def start(self, workdir: Path) -> None:  # noqa: B027 - optional hook
        """Bring the peer up (the emulator)."""

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Take the peer down."""

    @abstractmethod
    def describe(self) -> str: ...

    missing_switch = (
        f"a KNX switch actuator: set {ENV_KNX_SWITCH}=<command GA>,<status GA> (e.g. 1/0/1,1/0/2)"
    )
    missing_byte = (
        f"a group address where a test byte harms nothing: set {ENV_KNX_BYTE}=<GA> (e.g. 15/7/250)"
    )


class VirtualKnx(KnxSide):
    """The KNX emulator (default devices) as its own process on a free loopback port."""

    virtual = True

    def __init__(self) -> None:
        self.switch = VIRTUAL_KNX_SWITCH
        self.byte_ga = VIRTUAL_KNX_BYTE
        self._child: ChildProcess | None = None

    def describe(self) -> str:
        return "virtual KNX IP interface (KNX emulator process on loopback)"

    def start(self, workdir: Path) -> None:
        argv = [sys.executable, "-m", "hil.emulators.knx", "--port", "0"]
        self._child = ChildProcess("knx-emulator", argv, workdir / "knx-emulator.log")
        line = self._child.start(_KNX_READY, timeout=30)
        match = _KNX_READY.search(line)
        assert match is not None
        self.interface = (match.group(1), int(match.group(2)))

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()


class HardwareKnx(KnxSide):
    """A real KNX IP interface (tunnelling over UDP) and the objects the environment names."""

    virtual = False

    def __init__(self, environ: Mapping[str, str]) -> None:
        raw = environ[ENV_KNX].strip()
        host, sep, port = raw.partition(":")
        if not host or (sep and not port.isdigit()):
            raise RigConfigError(f"{ENV_KNX}: expected HOST[:PORT], got {raw!r}")
        self.interface = (host, int(port) if sep else 3671)
        switch = environ.get(ENV_KNX_SWITCH, "").strip()
        if switch:
            parts = [p.strip() for p in switch.split(",")]
            if len(parts) != 2 or not all(_GA.match(p) for p in parts):
                raise RigConfigError(f"{ENV_KNX_SWITCH}: expected COMMAND_GA,STATUS_GA")
            self.switch = (parts[0], parts[1])
        byte_ga = environ.get(ENV_KNX_BYTE, "").strip()
        if byte_ga:
            if not _GA.match(byte_ga):
                raise RigConfigError(f"{ENV_KNX_BYTE}: expected a group address like 15/7/250")
            self.byte_ga = byte_ga

    def describe(self) -> str:
        return f"real KNX IP interface {self.interface[0]}:{self.interface[1]}"


# -- the rig ----------------------------------------------------------------------------------


def catalogue_toml(knx: KnxSide) -> str:
    """The Thinknx catalogue the gateway serves: the rig's switch actuator, if it has one."""
    lines = ["# Thinknx catalogue written by the HIL suite (hil/rig.py)"]
    if knx.switch is not None:
        command, status = knx.switch
        lines += [
            "[[devices]]",
            f'guid = "{SWITCH_GUID}"',
            'name = "HIL switch actuator"',
            'type = "light"',
            f'power = {{ command = "{command}", status = "{status}", comm_obj = 1 }}',
        ]
    return "\n".join(lines) + "\n"


class Rig:
    """Peers, relay, notify socket and the gateway process, started and stopped together."""

    def __init__(self, zigbee: ZigbeeSide, knx: KnxSide, workdir: Path) -> None:
        self.zigbee = zigbee
        self.knx = knx
        self.workdir = workdir
        self.state_dir = workdir / "state"
        self.sockets: Path | None = None
        self.notify: NotifySocket | None = None
        self.relay: KnxRelay | None = None
        self.gateway: GatewayProcess | None = None
        self.thinknx_auth = (THINKNX_USER, THINKNX_PASSWORD)

    @classmethod
    def from_environment(cls, workdir: Path, environ: Mapping[str, str] | None = None) -> Rig:
        env = os.environ if environ is None else environ
        zigbee: ZigbeeSide = HardwareZigbee(env) if env.get(ENV_ZIGBEE) else VirtualZigbee()
        knx: KnxSide = HardwareKnx(env) if env.get(ENV_KNX) else VirtualKnx()
        rig = cls(zigbee, knx, workdir)
        state = env.get(ENV_STATE_DIR, "").strip()
        if state:
            rig.state_dir = Path(state)
        return rig

    @property
    def admin(self) -> tuple[str, str]:
        """The admin sign-in the gateway generated at its first start (never a default)."""
        return ("delight", read_password_file(self.state_dir))

    @property
    def virtual(self) -> bool:
        return self.zigbee.virtual and self.knx.virtual

    def describe(self) -> str:
        return f"{self.zigbee.describe()}; {self.knx.describe()}"

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self.workdir.mkdir(parents=True, exist_ok=True)
            # AF_UNIX paths are limited to 107 bytes; pytest's tmp paths may be longer.
            self.sockets = Path(tempfile.mkdtemp(prefix="hil-", dir="/tmp"))
            self.notify = NotifySocket(self.sockets / "notify")
            self.zigbee.start(self.workdir, self.sockets)
            self.knx.start(self.workdir)
            self.relay = KnxRelay(self.knx.interface)
            relay_host, relay_port = self.relay.start()
            catalogue = self.workdir / "knx-devices.toml"
            catalogue.write_text(catalogue_toml(self.knx))
            settings = GatewaySettings(
                state_dir=self.state_dir,
                http_port=free_port(),
                websocket_port=free_port(),
                thinknx_port=free_port(),
                radio_kind=self.zigbee.kind,
                radio_path=self.zigbee.path,
                radio_baudrate=self.zigbee.baudrate,
                knx_host=relay_host,
                knx_port=relay_port,
                devices_file=catalogue,
            )
            self.gateway = GatewayProcess(settings, self.workdir, self.notify)
            self.gateway.write_config()
            self.gateway.add_thinknx_user()
            self.gateway.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> int | None:
        """Stop everything; returns the gateway's exit status (None if it never ran)."""
        status = None
        if self.gateway is not None:
            status = self.gateway.stop()
        if self.relay is not None:
            self.relay.stop()
            self.relay = None
        self.knx.stop()
        self.zigbee.stop()
        if self.notify is not None:
            self.notify.close()
            self.notify = None
        if self.sockets is not None:
            shutil.rmtree(self.sockets, ignore_errors=True)
            self.sockets = None
        return status

    # -- addresses ----------------------------------------------------------------------------

    @property
    def process(self) -> GatewayProcess:
        if self.gateway is None:
            raise RuntimeError("the rig is not started")
        return self.gateway

    @property
    def deconz_url(self) -> str:
        return f"http://127.0.0.1:{self.process.settings.http_port}"

    @property
    def websocket_url(self) -> str:
        return f"ws://127.0.0.1:{self.process.settings.websocket_port}"

    @property
    def thinknx_url(self) -> str:
        return f"http://127.0.0.1:{self.process.settings.thinknx_port}/api/V1"

    @property
    def knx_relay(self) -> KnxRelay:
        if self.relay is None:
            raise RuntimeError("the rig is not started")
        return self.relay

    # -- requirements -------------------------------------------------------------------------

    @staticmethod
    def need(value: T | None, missing: str) -> T:
        """``value``, or skip the scenario naming the hardware the rig lacks."""
        if value is None or value is False:
            pytest.skip(f"hardware rig lacks {missing}")
        return value
