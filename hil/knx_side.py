"""The rig's KNX side: a KNX IP interface and the bus objects the scenarios may use.

Why two kinds behind one interface (:class:`KnxSide`): as on the Zigbee side, the scenarios
only use what both the virtual and a real rig have — the interface's address and, where the
rig has them, a switch actuator and a harmless group address (``None`` otherwise, which
:meth:`hil.rig.Rig.need` turns into a skip naming the variable to set).

* :class:`VirtualKnx` — the KNX emulator (``python -m hil.emulators.knx``) started here as a
  process on a free loopback port, with its default devices.
* :class:`HardwareKnx` — ``GATEWAY_HIL_KNX=192.0.2.10:3671``, a real KNX IP interface
  (tunnelling over UDP), and the group addresses the environment names.
"""

from __future__ import annotations

import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path

from hil.processes import ChildProcess
from hil.rig_environment import ENV_KNX, ENV_KNX_BYTE, ENV_KNX_SWITCH, RigConfigError

_GA = re.compile(r"^\d{1,2}/\d{1,2}/\d{1,3}$")
_KNX_READY = re.compile(r"^KNX emulator listening on ([0-9.]+):(\d+)\b")

# Emulator default devices (hil/emulators/knx/README.md): living_room_light, and a group
# address no device uses, where a raw byte harms nothing.
VIRTUAL_KNX_SWITCH = ("1/0/1", "1/0/2")
VIRTUAL_KNX_BYTE = "7/7/1"


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
