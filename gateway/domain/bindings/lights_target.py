"""The bindings' :class:`LightTarget` over :class:`LightsService`.

Why a reported-state cache of its own: the service's state also takes what we commanded
once the lamp acknowledged it, but a KNX status must tell what the lamp *says* (a lamp
that ignored a command, or changed through another path, must show so on KNX). The cache
starts from the service's state (read from the lamp at its interview and after every
reconnect) and follows the lamp's reports.
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.domain.bindings.ports import LevelCommand, ReportListener
from gateway.domain.lights import Light, LightsService, Outcome, StateRequest
from gateway.domain.lights.model import LightUnreachable, supported_state_fields

log = logging.getLogger(__name__)


class CommandFailed(RuntimeError):
    """The light did not carry out (all of) a binding's command; the text says why."""


class ServiceLights:
    """Single lights, through the same rules as ``PUT /lights/<id>/state``."""

    def __init__(self, service: LightsService) -> None:
        self._service = service
        self._reported: dict[str, dict[str, Any]] = {}
        self._listeners: list[ReportListener] = []
        service.add_report_listener(self._on_report)

    @property
    def radio_up(self) -> bool:
        return self._service.radio_up

    def _light(self, light_id: str) -> Light | None:
        try:
            return self._service.get(light_id)
        except Exception:
            return None

    def exists(self, light_id: str) -> bool:
        return self._light(light_id) is not None

    def reachable(self, light_id: str) -> bool:
        light = self._light(light_id)
        return light is not None and self._service.reachable(light)

    def reported(self, light_id: str) -> dict[str, Any] | None:
        light = self._light(light_id)
        if light is None:
            self._reported.pop(light_id, None)
            return None
        state = self._reported.get(light_id)
        if state is None:
            state = self._reported[light_id] = dict(light.state)
        return state

    def add_report_listener(self, listener: ReportListener) -> None:
        self._listeners.append(listener)

    def _on_report(self, light: Light, changes: dict[str, Any]) -> None:
        state = self._reported.get(light.rid)
        if state is None:
            state = self._reported[light.rid] = dict(light.state)
        state.update(changes)
        for listener in self._listeners:
            try:
                listener(light.rid, changes)
            except Exception:
                log.exception("event=binding_report_listener_failed light=%s", light.rid)

    async def apply(self, light_id: str, params: dict[str, Any]) -> None:
        light = self._service.get(light_id)
        fields = supported_state_fields(light.caps)
        wanted = {k: v for k, v in params.items() if k in fields}
        if not wanted:
            raise CommandFailed(f"light {light_id} has none of {', '.join(params)}")
        results = await self._service.set_state(light_id, StateRequest(tuple(wanted.items())))
        failed = [f"{r.name}: {r.outcome} {r.detail}".strip() for r in results
                  if r.outcome is not Outcome.OK]  # fmt: skip
        if failed:
            raise CommandFailed(f"light {light_id}: " + "; ".join(failed))

    async def level(self, light_id: str, command: LevelCommand) -> None:
        light = self._service.get(light_id)
        transport = self._service.transport
        if transport is None or not light.caps.level:
            raise CommandFailed(f"light {light_id} cannot dim")
        transport.check_ready()
        try:
            await transport.send(light.address, light.caps, command)
        except LightUnreachable:
            self._service.unreachable(light.address.ieee)
            raise
