"""The virtual rig, for ``radio.kind = "virtual"`` and ``knx.mode = "virtual"``.

Why one module: the rig is test equipment that lives in ``hil/`` (emulators in a child
process, reached over a pty and a loopback tunnel exactly like real hardware). The
product must not depend on it, so this is the only module in ``gateway/`` allowed to import
``hil`` (the layer test enforces it), and it does so lazily, only when a virtual back-end
is asked for. An installed gateway with real hardware never loads a line of it.

Why shared: both emulators run in ONE child (``hil/virtual_rig.py``), started by the
composition root before anything else (:meth:`SharedRig.begin`) so that its start-up
overlaps the gateway's own. The Zigbee and KNX sides each take a *share* of it; the child
stops when the last share is stopped (each side stops its peer last, as before), and
:meth:`SharedRig.stop` stops it in any case when the gateway stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gateway.settings import Settings

if TYPE_CHECKING:
    from hil.virtual_rig import RigAddresses, VirtualRig


class VirtualPeer(Protocol):
    """A started emulator: the composition root only needs to stop it."""

    async def stop(self) -> None: ...


class VirtualRigError(RuntimeError):
    """The emulator child did not come up; the message says why."""


VIRTUAL_RADIO_KINDS = ("virtual", "virtual-deconz")


class SharedRig:
    """The rig child the two sides share; starts at once, stops after its last user."""

    def __init__(self, state_dir: Path, *, radio: str | None, lights: int, knx: bool) -> None:
        self.state_dir = state_dir
        self.radio_setting = radio  # a VIRTUAL_RADIO_KINDS value, or None: no stick
        self.lights = lights
        self.knx_wanted = knx
        self.radio_kind = ""  # the kind the gateway drives the stick as (known once started)
        self._rig: VirtualRig | None = None
        self._starting: asyncio.Task[RigAddresses] | None = None
        self._shares = 0

    def begin(self) -> None:
        """Spawn the child in the background; the sides wait for it when they need it."""
        if self._starting is None:
            self._starting = asyncio.create_task(self._start(), name="virtual-rig-start")

    async def _start(self) -> RigAddresses:
        from hil.virtual_radio import VIRTUAL_SETTINGS
        from hil.virtual_rig import KNX_ONLY_DIR, VirtualRig
        from hil.virtual_rig import VirtualRigError as ChildError

        stick, directory = None, self.state_dir / KNX_ONLY_DIR
        if self.radio_setting is not None:
            stick, self.radio_kind, name = VIRTUAL_SETTINGS[self.radio_setting]
            directory = self.state_dir / name
        # One of each sensor and remote too, so a newcomer finds them with a sensor search.
        self._rig = VirtualRig(
            directory, stick=stick, lights=self.lights, knx=self.knx_wanted, sensors=True
        )
        try:
            return await self._rig.start()
        except ChildError as exc:
            raise VirtualRigError(str(exc)) from None

    async def _addresses(self) -> RigAddresses:
        self.begin()
        assert self._starting is not None
        return await asyncio.shield(self._starting)

    async def radio(self) -> tuple[str, str, VirtualPeer]:
        """The emulated stick's serial path, the radio kind to drive it as, a share to stop.

        ``virtual-deconz`` is driven by zigpy-deconz exactly like a ConBee on ``deconz``.
        """
        path = (await self._addresses()).radio_path
        if path is None:
            raise VirtualRigError("the virtual rig runs no radio")
        return path, self.radio_kind, self._share()

    async def knx(self) -> tuple[int, VirtualPeer]:
        """The emulated KNX IP interface's loopback UDP port, and a share to stop."""
        port = (await self._addresses()).knx_port
        if port is None:
            raise VirtualRigError("the virtual rig runs no KNX interface")
        return port, self._share()

    def _share(self) -> VirtualPeer:
        self._shares += 1
        return _Share(self)

    async def _release(self) -> None:
        self._shares -= 1
        if self._shares <= 0:
            await self.stop()

    async def stop(self) -> None:
        """Stop the child (idempotent), also one still starting."""
        starting, self._starting = self._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
        if starting is not None:
            with contextlib.suppress(BaseException):
                await starting
        if self._rig is not None:
            await self._rig.stop()
            self._rig = None


class _Share:
    """One side's hold on the rig child."""

    def __init__(self, rig: SharedRig) -> None:
        self._rig: SharedRig | None = rig

    async def stop(self) -> None:
        rig, self._rig = self._rig, None
        if rig is not None:
            await rig._release()


def shared_rig_for(settings: Settings) -> SharedRig | None:
    """The rig the settings ask for, or None when neither bus is virtual."""
    radio = settings.radio.kind if settings.radio.kind in VIRTUAL_RADIO_KINDS else None
    knx = settings.knx.mode == "virtual"
    if radio is None and not knx:
        return None
    return SharedRig(
        settings.gateway.state_dir, radio=radio, lights=settings.radio.virtual_lights, knx=knx
    )


def virtual_catalogue() -> Path:
    """The Thinknx catalogue that matches the KNX emulator's default devices."""
    from hil.virtual_knx import VIRTUAL_CATALOGUE

    return VIRTUAL_CATALOGUE
