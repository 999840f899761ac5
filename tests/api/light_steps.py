"""Steps the ``PUT /lights/<id>/state`` tests share: a light found lit or off, and what
the fake transport was asked to send."""

from __future__ import annotations

from typing import Any

from gateway.domain.lights.model import LightCommand
from tests.zigbee.fakes import discovered


def commands(rig: Any) -> list[LightCommand]:
    """The commands sent to the (fake) radio, in order, without their addresses."""
    return [c for _, c in rig.transport.sent]


async def lit(rig: Any, index: int = 1, **kwargs: Any) -> None:
    """Light ``index`` joins, switched on (``discovered``'s keywords pass through)."""
    await rig.service.discovered(discovered(index, **kwargs), may_add=True)


async def off(rig: Any, index: int = 1, **kwargs: Any) -> None:
    """Light ``index`` joins, switched off."""
    await rig.service.discovered(discovered(index, on=False, **kwargs), may_add=True)
