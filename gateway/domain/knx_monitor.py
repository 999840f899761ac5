"""What the page's KNX view reads: link state, devices with their values, a telegram stream.

Why a port: the HTTP side (``gateway.api.deconz.knx_status``) shows what the KNX side
(``gateway.knx.feed.KnxFeed``) observes, without importing xknx.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol


class TelegramStream(Protocol):
    """A live stream of described telegrams (``gateway.knx.feed.Watcher``)."""

    async def get(self) -> dict[str, Any]: ...


class KnxStatusSource(Protocol):
    """Link state, the catalogue's devices with their last values, recent and live telegrams."""

    def state(self) -> dict[str, Any]: ...

    def devices(self) -> dict[str, Any]: ...

    def history(self) -> list[dict[str, Any]]: ...

    def watch(self) -> contextlib.AbstractContextManager[TelegramStream]: ...
