"""Base class for simulated server clusters: attribute values plus a command table.

Each concrete cluster declares its commands with ``@handles(<zigpy ZCLCommandDef>)``;
the decorator fills a per-class table ``command id -> (definition, handler)``, so a
reader finds what a cluster does by reading its handlers, like zigpy-znp's command
tables. Payloads are decoded with zigpy's schema from the same definition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from zigpy.zcl import Cluster
from zigpy.zcl import foundation as f

from .zcl import Reply, ZclRequest

if TYPE_CHECKING:
    from .endpoint import SimEndpoint

H = TypeVar("H", bound=Callable[..., Reply])


def handles(definition: f.ZCLCommandDef) -> Callable[[H], H]:
    """Marks a method as the handler of one server command."""

    def mark(method: H) -> H:
        method._zcl_command = definition  # type: ignore[attr-defined]
        return method

    return mark


class ClusterServer:
    """One server cluster on a simulated endpoint."""

    definition: ClassVar[type[Cluster]]
    #: command id -> (zigpy definition, handler method name)
    commands: ClassVar[dict[int, tuple[f.ZCLCommandDef, str]]] = {}
    #: attributes a client may write (by zigpy attribute name)
    writable: ClassVar[frozenset[str]] = frozenset()
    #: attributes sent in a Report Attributes frame when they change
    reportable: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[int, tuple[f.ZCLCommandDef, str]] = {}
        for base in reversed(cls.__mro__):
            for name, member in vars(base).items():
                definition = getattr(member, "_zcl_command", None)
                if definition is not None:
                    table[int(definition.id)] = (definition, name)
        cls.commands = table

    def __init__(self, endpoint: SimEndpoint) -> None:
        self.endpoint = endpoint
        self.values: dict[str, Any] = {"cluster_revision": 1}
        self.values.update(self.initial_values())

    @property
    def cluster_id(self) -> int:
        return int(self.definition.cluster_id)

    def initial_values(self) -> dict[str, Any]:
        """Attribute values of a factory-fresh device."""
        return {}

    # -- attributes ---------------------------------------------------------------------
    def attribute(self, attr_id: int) -> f.ZCLAttributeDef | None:
        attr = self.definition.attributes.get(attr_id)
        if attr is None or self.get(attr.name) is None:
            return None
        return attr

    def get(self, name: str) -> Any:
        """Current value, following any transition in progress."""
        transition = self.endpoint.transitions.get(self.cluster_id)
        if transition is not None and name in transition.ramps:
            return transition.value(name, self.endpoint.now())
        computed = self.computed(name)
        return computed if computed is not None else self.values.get(name)

    def computed(self, name: str) -> Any:
        """Attributes derived from time (remaining time, identify time); None if stored."""
        return None

    def set(self, name: str, value: Any) -> None:
        """Changes a stored value and reports it if the cluster reports that attribute."""
        self.values[name] = value
        if name in self.reportable:
            self.endpoint.changed(self.cluster_id, name)

    def write(self, attr_id: int, value: Any) -> f.Status:
        attr = self.definition.attributes.get(attr_id)
        if attr is None or (attr.name not in self.values and self.computed(attr.name) is None):
            return f.Status.UNSUPPORTED_ATTRIBUTE
        if attr.name not in self.writable:
            return f.Status.READ_ONLY
        try:
            converted = attr.type(value)
        except (TypeError, ValueError):
            return f.Status.INVALID_VALUE
        self.on_write(attr.name, converted)
        return f.Status.SUCCESS

    def on_write(self, name: str, value: Any) -> None:
        self.set(name, value)

    # -- commands -----------------------------------------------------------------------
    def handle(self, request: ZclRequest) -> Reply:
        entry = self.commands.get(request.command_id)
        if entry is None or request.manufacturer is not None:
            return f.Status.UNSUP_CLUSTER_COMMAND
        definition, method_name = entry
        try:
            args, _ = definition.schema.deserialize(request.payload)
        except (ValueError, KeyError):
            return f.Status.MALFORMED_COMMAND
        handler: Callable[[Any], Reply] = getattr(self, method_name)
        return handler(args)

    # -- state --------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Every attribute's current value, for the emulator's ``state`` output."""
        names = set(self.values) | {
            a.name for a in self.definition.attributes.values() if self.computed(a.name) is not None
        }
        return {name: _plain(self.get(name)) for name in sorted(names)}

    def restore(self, values: dict[str, Any]) -> None:
        """Loads persisted values (names unknown to this cluster are ignored)."""
        for name, value in values.items():
            if name in self.values:
                self.values[name] = value


def _plain(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return str(value)
