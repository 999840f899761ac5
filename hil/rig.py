"""The rig the HIL scenarios run on: the gateway process and its two peers, virtual or real.

Why one class with two kinds of sides: the scenarios must be the same on the virtual rig
(every CI run) and on real dongles (before a release), so they talk only to what both
have — the gateway's HTTP/websocket/sd_notify interfaces, a KNX bus monitor, and the fault
hooks of :mod:`hil.faults`. Each side is chosen by the environment on its own
(:mod:`hil.rig_environment`):

* Zigbee (:mod:`hil.zigbee_side`): ``GATEWAY_HIL_ZIGBEE=/dev/zigbee`` (a real stick) or,
  when unset, an emulated ZNP or ConBee II stick started as a process on a pty;
* KNX (:mod:`hil.knx_side`): ``GATEWAY_HIL_KNX=192.0.2.10:3671`` (a real KNX IP interface)
  or, when unset, the KNX emulator started as a process.

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
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

import pytest

from gateway.app.admin_password import read_password_file
from hil.gateway_process import THINKNX_PASSWORD, THINKNX_USER, GatewayProcess, GatewaySettings
from hil.knx_relay import KnxRelay
from hil.knx_side import HardwareKnx, KnxSide, VirtualKnx
from hil.processes import NotifySocket, free_port
from hil.rig_environment import ENV_KNX, ENV_STATE_DIR, ENV_ZIGBEE
from hil.zigbee_side import HardwareZigbee, VirtualZigbee, ZigbeeSide

T = TypeVar("T")

SWITCH_GUID = "hil_switch"


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
    def from_environment(
        cls, workdir: Path, environ: Mapping[str, str] | None = None, *, stick: str = "znp"
    ) -> Rig:
        """The rig the environment describes; ``stick`` is the emulator the virtual Zigbee
        side runs (ignored when ``GATEWAY_HIL_ZIGBEE`` names a real stick)."""
        env = os.environ if environ is None else environ
        zigbee: ZigbeeSide = HardwareZigbee(env) if env.get(ENV_ZIGBEE) else VirtualZigbee(stick)
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
