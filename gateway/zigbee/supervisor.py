"""RadioSupervisor: the radio as the rest of the gateway uses it (``ZigbeeNetwork``).

Why on top of :class:`gateway.zigbee.keeper.RadioKeeper`: keeping the application
connected is one job; what may be done with it is another — open the network for joins,
move it to another channel, form a new one, and hand the radio to one operation alone
(touchlink, a channel change) while everything else gets RadioBusy. Those are here; the
parts do the work (``join_permit``, ``network_settings``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from gateway.domain.radio import RadioBusy, RadioState, RadioUnavailable, RadioUnsupported
from gateway.zigbee import backups, network_settings
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.join_permit import PERMIT_FOREVER
from gateway.zigbee.keeper import ControllerApplication, RadioKeeper
from gateway.zigbee.network_settings import read_snapshot
from gateway.zigbee.radios import ZNP_KINDS, RadioConfig

__all__ = ["ControllerApplication", "RadioSupervisor"]

log = logging.getLogger(__name__)


class RadioSupervisor(RadioKeeper):
    """Keeps one zigpy ControllerApplication running; implements ZigbeeNetwork."""

    def __init__(
        self,
        config: RadioConfig,
        *,
        app_class: type[ControllerApplication] | None = None,
        backoff: Backoff | None = None,
        connect_timeout: float = 60.0,
        shutdown_timeout: float = 10.0,
        permit_renew_interval: float = 240.0,
        channel_change_broadcasts: int = 5,
        channel_change_timeout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            config,
            app_class=app_class,
            backoff=backoff,
            connect_timeout=connect_timeout,
            shutdown_timeout=shutdown_timeout,
            permit_renew_interval=permit_renew_interval,
            clock=clock,
        )
        self._channel_broadcasts = channel_change_broadcasts
        self._channel_timeout = channel_change_timeout

    async def permit_join(self, seconds: int) -> None:
        """Open the network for ``seconds``; 0 closes, 255 keeps it open until closed."""
        if not 0 <= seconds <= PERMIT_FOREVER:
            raise ValueError(f"permit join must be 0..255 s, got {seconds}")
        await self.join_permit.open(self._require_app(), seconds)

    async def change_channel(self, channel: int) -> None:
        """Move the whole network to ``channel`` (busy meanwhile), then save a backup."""
        async with self.exclusive("channel change") as app:
            await network_settings.move_to_channel(
                app, channel, broadcasts=self._channel_broadcasts, within=self._channel_timeout
            )
            self._snapshot = read_snapshot(app, self._snapshot)
        await backups.write_latest_or_log(app, self.config.backup_dir)
        log.info("network moved to channel %d", channel)

    async def reset_network(self) -> None:
        """Form a new network (new PAN, key; same channel), then restart the application.

        Joined devices stay in the old network and must be paired again. The restart
        is needed because forming resets the stick, which forgets its endpoints.
        """
        async with self.exclusive("network reset") as app:
            channel = self._snapshot.channel if self._snapshot else self.config.channel
            await network_settings.form_new_network(app, channel)
            self._snapshot = read_snapshot(app, self._snapshot)
        log.info("formed a new network on channel %d; restarting the radio", channel)
        self.restart()

    @contextlib.asynccontextmanager
    async def exclusive(self, operation: str) -> AsyncIterator[ControllerApplication]:
        """Take the radio alone for ``operation`` (channel change, touchlink).

        While inside, the state is ``busy`` and every other radio request gets RadioBusy
        (HTTP 503, error 951). A second exclusive operation is refused, not queued: the
        client should retry once the first is done.
        """
        app = self._require_app()
        if self._exclusive_lock.locked():
            raise RadioBusy(self._busy or operation)
        async with self._exclusive_lock:
            self._busy = operation
            self._set_state(RadioState.BUSY)
            try:
                yield app
            finally:
                self._busy = None
                if self._state is RadioState.BUSY:
                    self._set_state(RadioState.RUNNING)

    def znp(self) -> Any:
        """zigpy-znp's ``ZNP`` object of the running stick, for raw MT commands.

        Only for ZNP sticks (and the virtual one); use inside :meth:`exclusive`.
        """
        if self.config.kind not in ZNP_KINDS:
            raise RadioUnsupported(f"radio kind {self.config.kind!r} has no ZNP interface")
        znp = getattr(self.application, "_znp", None)
        if znp is None:
            raise RadioUnavailable("Not connected")
        return znp

    def joins_open(self, grace: float = 0.0) -> bool:
        """Whether joins are permitted now (or were within ``grace`` seconds)."""
        return self.join_permit.joins_open(grace)
