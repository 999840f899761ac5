"""The bindings in service: those of the catalogue file and those created over the API.

Why two sources: an integrator writes bindings next to the Thinknx devices in the TOML
catalogue (versioned with the installation), and an app creates them over
``/api/<key>/bindings``. The engine serves the union; catalogue bindings are read-only
over the API (``catalogue-N`` ids), stored ones have numeric ids that are never reused.
Every change is checked completely before anything changes, and takes effect at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from gateway.domain.bindings.engine import BindingEngine
from gateway.domain.bindings.records import (
    Binding,
    BindingInvalid,
    GroupAddressCheck,
    parse_binding,
)
from gateway.store.bindings_repo import BindingsRepository

log = logging.getLogger(__name__)

MAX_BINDINGS = 1000
"""More than any installation needs; bounds what one client can make the engine carry."""


class BindingNotFound(LookupError):
    """No binding with this id (404, error 3)."""


class BindingReadOnly(Exception):
    """The binding comes from the catalogue file; change it there."""


TargetCheck = Callable[[str, str], bool]
"""(kind, id) -> whether the gateway knows that light, group or sensor."""


class BindingsService:
    """Keeps, checks and stores bindings and hands the set in service to the engine."""

    def __init__(
        self,
        repo: BindingsRepository,
        engine: BindingEngine,
        canonical: GroupAddressCheck,
        *,
        target_known: TargetCheck | None = None,
    ) -> None:
        self._repo = repo
        self.engine = engine
        self._canonical = canonical
        self._target_known = target_known
        self._stored: dict[str, Binding] = {}
        self._catalogue: dict[str, Binding] = {}

    async def load(self) -> None:
        for row in await self._repo.all():
            try:
                binding = parse_binding(row.config, self._canonical, id=str(row.id))
            except BindingInvalid as exc:
                log.error("event=binding_stored_invalid id=%d error=%s", row.id, exc)
                continue
            self._stored[binding.id] = binding
        self._publish()
        log.info("event=bindings_loaded stored=%d", len(self._stored))

    def set_catalogue(self, bindings: list[Binding]) -> None:
        """The catalogue file's bindings (already checked), replacing the previous ones."""
        self._catalogue = {b.id: b for b in bindings}
        self._publish()

    def _publish(self) -> None:
        self.engine.replace([*self._catalogue.values(), *self._stored.values()])

    # -- queries ---------------------------------------------------------------------------

    def all(self) -> list[Binding]:
        stored = sorted(self._stored.values(), key=lambda b: int(b.id))
        return [*stored, *self._catalogue.values()]

    def get(self, binding_id: str) -> Binding:
        binding = self._stored.get(binding_id) or self._catalogue.get(binding_id)
        if binding is None:
            raise BindingNotFound(binding_id)
        return binding

    def render(self, binding: Binding) -> dict[str, Any]:
        status = self.engine.status(binding)
        body = binding.to_json()
        body["source"] = binding.source
        body["state"] = {"reachable": status.reachable, "knx": status.knx, "zigbee": status.zigbee}
        return body

    def render_all(self) -> dict[str, Any]:
        return {b.id: self.render(b) for b in self.all()}

    # -- changes ---------------------------------------------------------------------------

    def check(self, raw: Mapping[str, Any]) -> Binding:
        """The binding ``raw`` describes; :class:`BindingInvalid` naming the bad field."""
        binding = parse_binding(raw, self._canonical)
        target = binding.target
        if self._target_known is not None and not self._target_known(target.kind, target.id):
            raise BindingInvalid("target.id", f"there is no {target.kind} {target.id}")
        return binding

    async def create(self, raw: Mapping[str, Any]) -> Binding:
        binding = self.check(raw)
        if len(self._stored) >= MAX_BINDINGS:
            raise BindingInvalid("bindings", f"at most {MAX_BINDINGS} bindings")
        config = binding.to_json()
        row = await self._repo.create(binding.name, config)
        stored = parse_binding(config, self._canonical, id=str(row.id))
        self._stored[stored.id] = stored
        self._publish()
        log.info("event=binding_created id=%s target=%s", stored.id, stored.target.key())
        return stored

    async def update(self, binding_id: str, raw: Mapping[str, Any]) -> Binding:
        current = self.get(binding_id)
        if current.source == "catalogue":
            raise BindingReadOnly(binding_id)
        merged = {**current.to_json(), **raw}
        binding = self.check(merged)
        config = binding.to_json()
        if not await self._repo.update(int(binding_id), binding.name, config):
            raise BindingNotFound(binding_id)
        stored = parse_binding(config, self._canonical, id=binding_id)
        self._stored[binding_id] = stored
        self._publish()
        log.info("event=binding_changed id=%s", binding_id)
        return stored

    async def delete(self, binding_id: str) -> None:
        current = self.get(binding_id)
        if current.source == "catalogue":
            raise BindingReadOnly(binding_id)
        await self._repo.delete(int(binding_id))
        self._stored.pop(binding_id, None)
        self._publish()
        log.info("event=binding_deleted id=%s", binding_id)

    async def section(self) -> dict[str, Any]:
        return self.render_all()
