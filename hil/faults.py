"""Fault injection: the same faults on the virtual rig and on real hardware.

* Zigbee stick unplugged / plugged in — virtual: the emulator's control socket (ZNP or ConBee)
  ``unplug``/``replug`` (pty closed, link removed, then a new pty behind the same link);
  hardware: ``uhubctl`` switches the USB port's power (``GATEWAY_HIL_USB_POWER``).
* A light loses / regains mains power — virtual: ``device_off``/``device_on``; hardware: a
  command of the rig's owner (``GATEWAY_HIL_LIGHT_POWER``, ``{state}`` becomes on/off),
  e.g. a switchable socket or a relay.
* KNX tunnel cut (cable pulled) — :class:`hil.knx_relay.KnxRelay` drops every datagram;
  the same relay stands in front of a real interface.
* KNX interface forgets the tunnel (reboot) — the relay sends DISCONNECT_REQUEST on the
  gateway's behalf; the same on both rigs.
* Gateway power cut — SIGKILL of the gateway process; the same on both rigs.
* Malformed serial frames — virtual only: the emulator's ``inject`` puts raw bytes on the
  line in order with its own frames. ZNP (:class:`EmulatorLineNoise`): a truncated frame,
  a bad checksum, a length byte that lies, a flood of noise. ConBee/RaspBee
  (:class:`SlipLineNoise`): the SLIP kinds of :mod:`hil.emulators.deconz.noise` (bad CRC,
  END too early, garbage between frames, a broken or trailing escape, an oversize frame,
  a flood), some glued to the stick's next frame. A real stick cannot be made to send
  garbage on demand.

Why each fault waits until it has taken effect (the port is gone, the port is back): a
scenario must measure the gateway's reaction, not the fault's own latency.
"""

from __future__ import annotations

import asyncio
import os
import random
import shlex
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any, Protocol

from hil.emulators.common.control import ControlClient
from hil.emulators.deconz.noise import KINDS as SLIP_NOISE

PORT_TIMEOUT = 30.0  # a USB stick enumerates within a few seconds after power-on


class FaultError(RuntimeError):
    """A fault could not be injected or undone; the message says what the tool answered."""


class StickPower(Protocol):
    """The Zigbee coordinator's connection to the gateway host."""

    description: str

    async def unplug(self) -> None: ...

    async def replug(self) -> None: ...


class LightPower(Protocol):
    """Mains power of one light."""

    description: str

    async def set(self, ieee: str, on: bool) -> None: ...


class EmulatorControl:
    """One request on an emulator's control socket, ZNP or ConBee (a fresh connection per
    request, so any test's event loop may use it)."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path

    async def __call__(self, cmd: str, **args: Any) -> Any:
        async with ControlClient(self.socket_path) as client:
            return await client.request(cmd, **args)


async def _wait_for_path(path: str, present: bool, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while os.path.exists(path) != present:
        if time.monotonic() > deadline:
            state = "appear" if present else "disappear"
            raise FaultError(f"{path} did not {state} within {timeout:g} s")
        await asyncio.sleep(0.05)


class EmulatorStick:
    """Unplug/replug of the virtual stick: the emulator closes the pty and removes its link."""

    def __init__(self, control: EmulatorControl, link: str) -> None:
        self.control = control
        self.link = link
        self.description = f"emulator control socket {control.socket_path}"

    async def unplug(self) -> None:
        await self.control("unplug")
        await _wait_for_path(self.link, False, 5.0)

    async def replug(self) -> None:
        await self.control("replug")
        await _wait_for_path(self.link, True, 5.0)


class _BurstingNoise:
    """The random burst both sticks' noise sends; each stick says how one frame goes out."""

    FRAMES: Collection[str]

    async def flood(self, size: int) -> None:
        raise NotImplementedError

    async def random_frame(self, kind: str, rng: random.Random) -> str:
        """Send one malformed frame of ``kind`` (drawing any options from ``rng``); its label."""
        raise NotImplementedError

    async def burst(self, rng: random.Random, *, max_flood: int = 64 * 1024) -> list[str]:
        """1..6 faults in a random mix; returns what was sent, for the report."""
        sent: list[str] = []
        for _ in range(rng.randint(1, 6)):
            kind = rng.choice([*self.FRAMES, "flood"])
            if kind == "flood":
                size = rng.randint(1, max_flood)
                await self.flood(size)
                sent.append(f"flood:{size}")
            else:
                sent.append(await self.random_frame(kind, rng))
        return sent


class EmulatorLineNoise(_BurstingNoise):
    """Malformed MT frames from the virtual stick, in order with its real ones."""

    FRAMES = {
        # start byte, length 64, two command bytes, then nothing
        "truncated": "fe40610102",
        # a complete frame whose checksum is wrong
        "bad_checksum": "fe03448100010200",
        # claims 2 data bytes, carries more
        "lying_length": "fe0244810001020304050607",
    }

    def __init__(self, control: EmulatorControl) -> None:
        self.control = control
        self.description = f"ZNP emulator control socket {control.socket_path}"

    async def frame(self, kind: str) -> None:
        await self.control("inject", hex=self.FRAMES[kind])

    async def flood(self, size: int) -> None:
        await self.control("inject", noise=size)

    async def random_frame(self, kind: str, rng: random.Random) -> str:
        await self.frame(kind)
        return kind


class SlipLineNoise(_BurstingNoise):
    """Malformed SLIP frames from the virtual ConBee/RaspBee, in order with its real ones.

    Why some are glued: noise that arrives in the same read as a real frame is what can
    make a host's parser sit on that frame (zigpy-deconz and a trailing escape did); noise
    alone on a quiet line only tests the easy half.
    """

    FRAMES = tuple(kind for kind in SLIP_NOISE if kind != "flood")

    def __init__(self, control: EmulatorControl) -> None:
        self.control = control
        self.description = f"deCONZ emulator control socket {control.socket_path}"

    async def frame(self, kind: str, *, glued: bool = False) -> None:
        await self.control("inject", kind=kind, glued=glued)

    async def flood(self, size: int) -> None:
        await self.control("inject", kind="flood", size=size)

    async def random_frame(self, kind: str, rng: random.Random) -> str:
        glued = rng.random() < 0.5
        await self.frame(kind, glued=glued)
        return f"{kind}+next" if glued else kind


class LineNoise(Protocol):
    """Malformed frames from a virtual stick (ZNP or ConBee)."""

    description: str

    async def burst(self, rng: random.Random, *, max_flood: int = ...) -> list[str]: ...


def line_noise(control: EmulatorControl, stick: str) -> LineNoise:
    """The noise of one virtual stick kind (``znp`` or ``deconz``)."""
    return SlipLineNoise(control) if stick == "deconz" else EmulatorLineNoise(control)


async def run_tool(argv: list[str], *, timeout: float = 30.0) -> str:
    """Run a helper program (uhubctl, the operator's power command); FaultError on failure."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except FileNotFoundError:
        raise FaultError(f"{argv[0]}: not installed") from None
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise FaultError(f"{' '.join(argv)}: no answer within {timeout:g} s") from None
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise FaultError(f"{' '.join(argv)} exited with {proc.returncode}: {text.strip()}")
    return text


class UhubctlStick:
    """A real stick on a USB hub port with per-port power switching (``uhubctl``).

    A Raspberry Pi 4/5 switches all its USB ports together (location ``1-1``/``2``, see
    uhubctl's README), so the stick may share the switch with nothing else of the rig.
    """

    def __init__(self, location: str, port: str, device_path: str) -> None:
        self.location = location
        self.port = port
        self.device_path = device_path
        self.description = f"uhubctl -l {location} -p {port}"

    async def _power(self, action: str) -> None:
        await run_tool(["uhubctl", "-l", self.location, "-p", self.port, "-a", action])

    async def unplug(self) -> None:
        await self._power("off")
        await _wait_for_path(self.device_path, False, PORT_TIMEOUT)

    async def replug(self) -> None:
        await self._power("on")
        await _wait_for_path(self.device_path, True, PORT_TIMEOUT)


class EmulatorLightPower:
    """Mains power of a simulated lamp (``device_off``/``device_on``)."""

    def __init__(self, control: EmulatorControl) -> None:
        self.control = control
        self.description = f"emulator control socket {control.socket_path}"

    async def set(self, ieee: str, on: bool) -> None:
        await self.control("device_on" if on else "device_off", ieee=ieee)


class CommandLightPower:
    """Mains power through a command of the rig's owner, ``{state}`` replaced by on/off
    (and ``{ieee}`` by the light's address), e.g. ``uhubctl -l 1-1 -p 3 -a {state}``."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.description = f"command {template!r}"

    async def set(self, ieee: str, on: bool) -> None:
        command = self.template.replace("{state}", "on" if on else "off").replace("{ieee}", ieee)
        await run_tool(shlex.split(command))
