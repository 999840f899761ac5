"""Noticing a RaspBee/ConBee whose network went down under a running application.

Why: zigpy-deconz reads the stick's device state but acts on none of it. After a RaspBee's
MCU resets (its watchdog, a brown-out) the UART stays open, the stick answers every
command and zigpy's own watchdog writes succeed, yet the network is OFFLINE until the
host starts it again — so nothing would ever tell the supervisor, and every light would
fail until the gateway restarts. (A ConBee re-enumerates on USB and is noticed as a lost
connection anyway; this watch costs it nothing.) Z-Stack sticks have the same problem and
the supervisor handles it from ``SYS_RESET_IND``; the deCONZ protocol has no such
indication, so we ask the stick for its network state every few seconds.

Installed through the supervisor's public application hooks, it restarts the
application (which starts the network again) when the stick reports OFFLINE while the
supervisor is running and not busy; a channel change or a network reset takes the
network OFFLINE on purpose and runs as a busy, exclusive operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from gateway.domain.radio import RadioState

if TYPE_CHECKING:
    from gateway.zigbee.supervisor import ControllerApplication, RadioSupervisor

log = logging.getLogger(__name__)

#: How often the stick is asked (one 8-byte request; zigpy-deconz polls as often itself).
CHECK_INTERVAL = 3.0
#: The answer must come within this; a stick that does not answer is zigpy's watchdog's job.
CHECK_TIMEOUT = 2.0
OFFLINE = 0  # zigpy_deconz.api.NetworkState.OFFLINE


class DeconzNetworkWatch:
    """Restarts the supervisor's application when a deCONZ stick's network is down."""

    def __init__(self, supervisor: RadioSupervisor, *, interval: float = CHECK_INTERVAL) -> None:
        self._supervisor = supervisor
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.restarts = 0

    def install(self) -> None:
        """Hook into the supervisor; a no-op for radios other than deCONZ."""
        if self._supervisor.config.kind == "deconz":
            self._supervisor.add_app_hooks(self._up, self._down)

    async def _up(self, app: ControllerApplication) -> None:
        self._down(app)
        self._task = asyncio.create_task(self._watch(app), name="deconz-network-watch")

    def _down(self, app: ControllerApplication) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _watch(self, app: ControllerApplication) -> None:
        while True:
            await asyncio.sleep(self._interval)
            state = await _network_state(app)
            if state != OFFLINE:
                continue
            supervisor = self._supervisor
            if supervisor.busy is not None or supervisor.state is not RadioState.RUNNING:
                continue  # on purpose (channel change, reset) or already being handled
            self.restarts += 1
            supervisor.last_error = "coordinator network offline (stick reset?)"
            log.warning("event=zigbee_network_offline: the stick's network is down; restarting")
            supervisor.restart()
            return


async def _network_state(app: ControllerApplication) -> int | None:
    """The stick's network state (0 OFFLINE .. 3 LEAVING), None when it cannot be read."""
    api: Any = getattr(app, "_api", None)
    if api is None:
        return None
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CHECK_TIMEOUT):
            state = await api.get_device_state()
        return int(state.network_state)
    return None
