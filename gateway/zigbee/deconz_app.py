"""zigpy-deconz's application, closing its serial port when a connection attempt is cancelled.

Why: zigpy-deconz's ``connect`` cleans up after a failed handshake (``except Exception``)
but not after a cancelled one: ``asyncio.CancelledError`` is no ``Exception``. The
supervisor cancels an attempt whenever the stick goes away meanwhile, zigpy reports a
lost connection or the gateway stops; cancelled while the stick was still answering its
version request, the half-made ``Deconz`` object kept the port open and ``flock``-ed, and
was reachable from nowhere: every later attempt failed with "The serial port is locked by
another application" until the stick was unplugged again (the ConBee soak's 6.2 s
replug). zigpy-znp already closes its port on cancellation.

:class:`DeconzApplication` is zigpy-deconz's application with ``connect`` written out
once more (it is seven lines upstream) so the cleanup also runs on cancellation.
"""

from __future__ import annotations

import contextlib

import zigpy.config as zconf
from zigpy_deconz.api import Deconz
from zigpy_deconz.zigbee.application import ControllerApplication


class DeconzApplication(ControllerApplication):  # type: ignore[misc]
    """zigpy-deconz's ControllerApplication whose ``connect`` never leaves a port open."""

    async def connect(self) -> None:
        api = Deconz(self, self._config[zconf.CONF_DEVICE])
        try:
            await api.connect()
        except BaseException:
            # Also on cancellation: the port is open (and locked) from the first await on.
            # A failing close must not hide why the attempt ended.
            with contextlib.suppress(Exception):
                await api.disconnect()
            raise
        self._api = api
        self._written_endpoints.clear()
