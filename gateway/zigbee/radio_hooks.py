"""Who hears about the radio: state listeners and the hooks run per zigpy application.

Why apart from the supervisor: the lights bridge, sensors, groups, the deCONZ network
watch and the composition root all follow the radio, and a failing follower must not stop
the supervisor from reconnecting. This is the one place that calls them and contains
their failures; the supervisor only says when.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import zigpy.application

from gateway.domain.radio import RadioState

log = logging.getLogger(__name__)

ControllerApplication = zigpy.application.ControllerApplication
StateListener = Callable[[RadioState, RadioState], None]
UpHook = Callable[[ControllerApplication], Awaitable[None]]
DownHook = Callable[[ControllerApplication], None]


class RadioHooks:
    """The followers of one supervisor, called in the order they were added."""

    def __init__(self) -> None:
        self._state_listeners: list[StateListener] = []
        self._up: list[UpHook] = []
        self._down: list[DownHook] = []

    @property
    def empty(self) -> bool:
        """No application hooks (state listeners aside): nothing follows the application."""
        return not self._up and not self._down

    def add_state_listener(self, listener: StateListener) -> None:
        self._state_listeners.append(listener)

    def add_app_hooks(self, on_up: UpHook | None = None, on_down: DownHook | None = None) -> None:
        if on_up is not None:
            self._up.append(on_up)
        if on_down is not None:
            self._down.append(on_down)

    def state_changed(self, old: RadioState, new: RadioState) -> None:
        """Tell every listener; one that fails is logged and the others still hear it."""
        for listener in list(self._state_listeners):
            try:
                listener(old, new)
            except Exception:
                log.exception("radio state listener failed")

    async def up(self, app: ControllerApplication) -> None:
        """Run the start-up hooks; the first failure propagates (the supervisor reconnects)."""
        for hook in self._up:
            await hook(app)

    def down(self, app: ControllerApplication) -> None:
        """Run the tear-down hooks; failures are logged, the tear-down goes on."""
        for hook in self._down:
            try:
                hook(app)
            except Exception:
                log.exception("radio tear-down hook failed")
