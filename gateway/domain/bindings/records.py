"""What a binding is: KNX group addresses tied to one Zigbee light, group or sensor.

Why one vocabulary for the catalogue file and the REST API: both describe the same thing and
must be checked by the same rules, so :func:`parse_binding` takes the plain mapping either
source gives (TOML table or JSON object) and names the field that is wrong. Group addresses
are checked by a function the KNX side provides (the domain does not parse KNX addresses).

A binding has *slots*. An ``in`` slot is a KNX command the gateway obeys (a wall switch
writes it); an ``out`` slot is a value the gateway sends to KNX (a lamp's status, a sensor's
reading) and answers GroupValueRead for. Each slot has one fixed DPT, the one KNX devices use
for that function, except ``scene`` (17.001 or 18.001, ``scene_dpt``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

TargetKind = Literal["light", "group", "sensor"]
Direction = Literal["in", "out"]
TARGET_KINDS: Final = ("light", "group", "sensor")
SCENE_DPTS: Final = ("17.001", "18.001")
NAME_MAX: Final = 64
MAX_ADDRESSES_PER_SLOT: Final = 8


@dataclass(frozen=True)
class SlotSpec:
    """One function a binding can carry."""

    name: str
    dpt: str
    direction: Direction
    targets: tuple[TargetKind, ...]
    meaning: str


_LAMP: Final[tuple[TargetKind, ...]] = ("light", "group")
SLOTS: Final[Mapping[str, SlotSpec]] = {
    s.name: s
    for s in (
        SlotSpec("switch", "1.001", "in", _LAMP, "1 on, 0 off"),
        SlotSpec("switch_status", "1.001", "out", _LAMP, "the lamp's reported on/off"),
        SlotSpec("dim", "3.007", "in", _LAMP, "relative dimming: start/stop (Move/Stop), steps"),
        SlotSpec("brightness", "5.001", "in", _LAMP, "absolute brightness %, 0 switches off"),
        SlotSpec("brightness_status", "5.001", "out", _LAMP, "reported brightness %, 0 when off"),
        SlotSpec("color_temperature", "7.600", "in", _LAMP, "white colour temperature in K"),
        SlotSpec("color_temperature_status", "7.600", "out", _LAMP, "reported colour temperature"),
        SlotSpec("rgb", "232.600", "in", _LAMP, "colour 0xRRGGBB (lamps with colour)"),
        SlotSpec("rgb_status", "232.600", "out", _LAMP, "reported colour as RGB, 0 when off"),
        SlotSpec("scene", "17.001", "in", ("group",), "recall (18.001: also learn) a scene"),
        SlotSpec("presence", "1.001", "out", ("sensor",), "presence sensor: 1 presence"),
        SlotSpec("open", "1.019", "out", ("sensor",), "door/window contact: 1 open"),
        SlotSpec("temperature", "9.001", "out", ("sensor",), "temperature in °C"),
        SlotSpec("humidity", "9.007", "out", ("sensor",), "relative humidity in %"),
        SlotSpec("lux", "9.004", "out", ("sensor",), "illuminance in lux"),
    )
}


class BindingInvalid(ValueError):
    """A binding cannot be used; ``field`` names the key (``knx.switch``, ``target.id``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str

    def key(self) -> str:
        return f"{self.kind}/{self.id}"


@dataclass(frozen=True)
class ButtonMap:
    """A Zigbee switch's button event (deCONZ ``buttonevent``) sent as a DPT 1 value."""

    event: int
    address: str
    value: int


@dataclass(frozen=True)
class Binding:
    """One binding in service. ``id`` is "1", "2", ... for stored ones (REST API) and
    "catalogue-N" for the N-th ``[[bindings]]`` of the catalogue file (read-only)."""

    id: str
    name: str
    target: Target
    addresses: Mapping[str, tuple[str, ...]]
    scene_dpt: str = "17.001"
    scenes: Mapping[int, str] = field(default_factory=dict)
    buttons: tuple[ButtonMap, ...] = ()
    source: Literal["api", "catalogue"] = "api"

    def slot_dpt(self, slot: str) -> str:
        return self.scene_dpt if slot == "scene" else SLOTS[slot].dpt

    def to_json(self) -> dict[str, Any]:
        """The plain form the store keeps and the API shows (without runtime fields)."""
        body: dict[str, Any] = {
            "name": self.name,
            "target": {"type": self.target.kind, "id": self.target.id},
            "knx": {
                slot: list(gas) if SLOTS[slot].direction == "in" else gas[0]
                for slot, gas in self.addresses.items()
            },
        }
        if "scene" in self.addresses:
            body["scene_dpt"] = self.scene_dpt
            body["scenes"] = {str(k): v for k, v in sorted(self.scenes.items())}
        if self.buttons:
            body["buttons"] = [
                {"event": b.event, "address": b.address, "value": b.value} for b in self.buttons
            ]
        return body


GroupAddressCheck = Callable[[str], str]
"""Returns the canonical form ("1/0/1") of a group address, raises ValueError if bad."""

_KEYS: Final = frozenset({"name", "target", "knx", "scene_dpt", "scenes", "buttons"})


def parse_binding(
    raw: Mapping[str, Any], canonical: GroupAddressCheck, *, id: str = "", source: str = "api"
) -> Binding:
    """Check a binding as the catalogue or the API gives it; :class:`BindingInvalid` if bad."""
    for key in raw:
        if key not in _KEYS:
            raise BindingInvalid(key, f"unknown key (allowed: {', '.join(sorted(_KEYS))})")
    name = raw.get("name", "")
    if not isinstance(name, str) or len(name) > NAME_MAX:
        raise BindingInvalid("name", f"must be a string of at most {NAME_MAX} characters")
    target = _target(raw.get("target"))
    addresses = _addresses(raw.get("knx"), target, canonical)
    scene_dpt = raw.get("scene_dpt", "17.001")
    if scene_dpt not in SCENE_DPTS:
        raise BindingInvalid("scene_dpt", f"must be one of {', '.join(SCENE_DPTS)}")
    scenes = _scenes(raw.get("scenes"), "scene" in addresses)
    buttons = _buttons(raw.get("buttons"), target, canonical)
    if not addresses and not buttons:
        raise BindingInvalid("knx", "has no group addresses")
    _no_echo(addresses, buttons)
    return Binding(
        id=id,
        name=name or target.key(),
        target=target,
        addresses=addresses,
        scene_dpt=str(scene_dpt),
        scenes=scenes,
        buttons=buttons,
        source="catalogue" if source == "catalogue" else "api",
    )


def _target(raw: Any) -> Target:
    if not isinstance(raw, Mapping):
        raise BindingInvalid("target", 'must be a table like { type = "light", id = "1" }')
    kind, ident = raw.get("type"), raw.get("id")
    if kind not in TARGET_KINDS:
        raise BindingInvalid("target.type", f"must be one of {', '.join(TARGET_KINDS)}")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if not isinstance(ident, str) or not ident.isascii() or not ident.isdigit():
        raise BindingInvalid("target.id", f'must be a resource id like "1", got {ident!r}')
    for key in raw:
        if key not in ("type", "id"):
            raise BindingInvalid(f"target.{key}", "unknown key (allowed: id, type)")
    return Target(kind, ident)


def _addresses(
    raw: Any, target: Target, canonical: GroupAddressCheck
) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise BindingInvalid("knx", 'must be a table like { switch = "1/0/1" }')
    found: dict[str, tuple[str, ...]] = {}
    for slot, value in raw.items():
        spec = SLOTS.get(slot)
        fld = f"knx.{slot}"
        if spec is None:
            raise BindingInvalid(fld, f"unknown function (known: {', '.join(SLOTS)})")
        if target.kind not in spec.targets:
            raise BindingInvalid(fld, f"a {target.kind} binding has no {slot}")
        values = value if isinstance(value, list) else [value]
        if spec.direction == "out" and len(values) != 1:
            raise BindingInvalid(fld, "a status address is one group address")
        if not 1 <= len(values) <= MAX_ADDRESSES_PER_SLOT:
            raise BindingInvalid(fld, f"give 1..{MAX_ADDRESSES_PER_SLOT} group addresses")
        found[slot] = tuple(_ga(v, fld, canonical) for v in values)
    return found


def _ga(value: Any, fld: str, canonical: GroupAddressCheck) -> str:
    if not isinstance(value, str):
        raise BindingInvalid(fld, f'must be a group address like "1/0/1", got {value!r}')
    try:
        return canonical(value)
    except ValueError as exc:
        raise BindingInvalid(fld, str(exc)) from None


def _scenes(raw: Any, has_scene: bool) -> dict[int, str]:
    if raw is None:
        return {}
    if not has_scene:
        raise BindingInvalid("scenes", "only with a knx.scene address")
    if not isinstance(raw, Mapping):
        raise BindingInvalid("scenes", 'must map KNX scene numbers to scene ids: { "1" = "3" }')
    scenes: dict[int, str] = {}
    for key, value in raw.items():
        number = int(key) if isinstance(key, str) and key.isdigit() else None
        if number is None or not 1 <= number <= 64:
            raise BindingInvalid(f"scenes.{key}", "a KNX scene number is 1..64")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.isdigit():
            raise BindingInvalid(f"scenes.{key}", f'must be a scene id like "1", got {value!r}')
        scenes[number] = value
    return scenes


def _buttons(raw: Any, target: Target, canonical: GroupAddressCheck) -> tuple[ButtonMap, ...]:
    if raw is None:
        return ()
    if target.kind != "sensor":
        raise BindingInvalid("buttons", "only a sensor (a Zigbee switch) has buttons")
    if not isinstance(raw, list) or len(raw) > 64:
        raise BindingInvalid("buttons", "must be a list of { event, address, value } (64 at most)")
    found = []
    for index, entry in enumerate(raw):
        fld = f"buttons[{index}]"
        if not isinstance(entry, Mapping) or set(entry) - {"event", "address", "value"}:
            raise BindingInvalid(fld, "must be a table { event = 1002, address = ..., value = 1 }")
        event, value = entry.get("event"), entry.get("value", 1)
        if isinstance(event, bool) or not isinstance(event, int) or not 0 < event < 100000:
            raise BindingInvalid(f"{fld}.event", "must be a deCONZ buttonevent like 1002")
        if value not in (0, 1):
            raise BindingInvalid(f"{fld}.value", "must be 0 or 1 (DPT 1)")
        found.append(
            ButtonMap(event, _ga(entry.get("address"), f"{fld}.address", canonical), int(value))
        )
    return tuple(found)


def _no_echo(addresses: Mapping[str, tuple[str, ...]], buttons: tuple[ButtonMap, ...]) -> None:
    """A status address that is also a command address would obey its own feedback."""
    commands = {
        ga for slot, gas in addresses.items() if SLOTS[slot].direction == "in" for ga in gas
    }
    outputs = [(slot, gas[0]) for slot, gas in addresses.items() if SLOTS[slot].direction == "out"]
    outputs += [("buttons", b.address) for b in buttons]
    for slot, ga in outputs:
        if ga in commands:
            raise BindingInvalid(
                f"knx.{slot}" if slot != "buttons" else slot,
                f"{ga} is also a command address of this binding (it would obey its own status)",
            )
