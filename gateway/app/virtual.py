"""The virtual rig, for ``radio.kind = "virtual"`` and ``knx.mode = "virtual"``.

Why one module: the rig is test equipment that lives in ``hil/`` (emulators in child
processes, reached over a pty and a loopback tunnel exactly like real hardware). The
product must not depend on it, so this is the only module in ``gateway/`` allowed to import
``hil`` (the layer test enforces it), and it does so lazily, only when a virtual back-end
is asked for. An installed gateway with real hardware never loads a line of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class VirtualPeer(Protocol):
    """A started emulator child: the composition root only needs to stop it."""

    async def stop(self) -> None: ...


class VirtualRigError(RuntimeError):
    """An emulator child did not come up; the message says why."""


VIRTUAL_RADIO_KINDS = ("virtual", "virtual-deconz")


async def start_virtual_radio(
    setting: str, state_dir: Path, *, lights: int
) -> tuple[str, str, VirtualPeer]:
    """Spawn the emulated stick ``radio.kind`` names (ZNP or ConBee).

    Returns the serial path to open, the radio kind to drive it as (``virtual-deconz`` is
    driven by zigpy-deconz exactly like a ConBee on ``deconz``) and the child.
    """
    from hil.virtual_radio import VirtualRadioError, virtual_stick

    # One of each sensor and remote too, so a newcomer finds them with a sensor search.
    radio, kind = virtual_stick(setting, state_dir, lights=lights, sensors=True)
    try:
        path = await radio.start()
    except VirtualRadioError as exc:
        raise VirtualRigError(str(exc)) from None
    return path, kind, radio


async def start_virtual_knx() -> tuple[int, VirtualPeer]:
    """Spawn the emulated KNX IP interface; returns its loopback UDP port and the child."""
    from hil.virtual_knx import VirtualKnx, VirtualKnxError

    emulator = VirtualKnx()
    try:
        port = await emulator.start()
    except VirtualKnxError as exc:
        raise VirtualRigError(str(exc)) from None
    return port, emulator


def virtual_catalogue() -> Path:
    """The Thinknx catalogue that matches the KNX emulator's default devices."""
    from hil.virtual_knx import VIRTUAL_CATALOGUE

    return VIRTUAL_CATALOGUE
