"""Scene extension field sets (ZCL 8 §3.7.2.4.2): what a scene stores per cluster.

Why our own codec: zigpy's ``Scenes.add`` schema stops at the scene name (its extension
field sets are a TODO), so the emulator reads the tail of Add Scene itself and writes it
for View Scene. The wire format is a sequence of ``cluster id (uint16) | length (uint8) |
attribute values``; the values of one set are the cluster's scene attributes in a fixed
order, and a sender may stop after any of them (a shorter set leaves the rest unset).

A set whose length runs past the end of the frame makes the whole command malformed;
sets for clusters the lamp does not have are skipped, as the ZCL asks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

ON_OFF, LEVEL, COLOR = 0x0006, 0x0008, 0x0300

#: Scene attributes per cluster, in wire order: (attribute name, struct format).
SCENE_ATTRIBUTES: dict[int, tuple[tuple[str, str], ...]] = {
    ON_OFF: (("on_off", "B"),),
    LEVEL: (("current_level", "B"),),
    COLOR: (
        ("current_x", "H"),
        ("current_y", "H"),
        ("enhanced_current_hue", "H"),
        ("current_saturation", "B"),
        ("color_loop_active", "B"),
        ("color_loop_direction", "B"),
        ("color_loop_time", "H"),
        ("color_temperature", "H"),
    ),
}


class FieldSetError(ValueError):
    """The extension field sets do not fit the frame (a malformed command)."""


@dataclass(frozen=True)
class FieldSet:
    """One cluster's stored values (only the attributes the sender included)."""

    cluster: int
    values: tuple[tuple[str, int], ...]

    def as_dict(self) -> dict[str, int]:
        return dict(self.values)


def parse(data: bytes) -> list[FieldSet]:
    """Decodes every set; unknown clusters are kept with no values (callers skip them).

    Values past the known attributes of a cluster are ignored (a newer ZCL revision may
    append attributes); a value cut in the middle is dropped, a set longer than the
    remaining frame raises :class:`FieldSetError`.
    """
    sets: list[FieldSet] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 3:
            raise FieldSetError(f"truncated field set header at byte {offset}")
        cluster, length = struct.unpack_from("<HB", data, offset)
        offset += 3
        if offset + length > len(data):
            raise FieldSetError(f"field set for 0x{cluster:04x} claims {length} bytes")
        sets.append(FieldSet(cluster, _values(cluster, data[offset : offset + length])))
        offset += length
    return sets


def _values(cluster: int, body: bytes) -> tuple[tuple[str, int], ...]:
    values: list[tuple[str, int]] = []
    position = 0
    for name, fmt in SCENE_ATTRIBUTES.get(cluster, ()):
        size = struct.calcsize("<" + fmt)
        if position + size > len(body):
            break
        (value,) = struct.unpack_from("<" + fmt, body, position)
        values.append((name, int(value)))
        position += size
    return tuple(values)


def encode(sets: list[FieldSet]) -> bytes:
    """The wire form of ``sets`` (each set carries exactly its values, in ZCL order)."""
    out = bytearray()
    for field_set in sets:
        given = field_set.as_dict()
        body = bytearray()
        for name, fmt in SCENE_ATTRIBUTES.get(field_set.cluster, ()):
            if name not in given:
                break
            body += struct.pack("<" + fmt, given[name])
        out += struct.pack("<HB", field_set.cluster, len(body)) + body
    return bytes(out)


def field_set(cluster: int, values: dict[str, int]) -> FieldSet:
    """A set in wire order from a name -> value mapping. Attributes the lamp lacks but
    that come before one it has are sent as 0 (a colour-temperature lamp still says
    where its xy point and hue are), trailing ones are left out."""
    names = [name for name, _ in SCENE_ATTRIBUTES.get(cluster, ())]
    last = max((names.index(n) for n in values if n in names), default=-1)
    return FieldSet(cluster, tuple((n, int(values.get(n, 0))) for n in names[: last + 1]))


@dataclass
class Scene:
    """One entry of a lamp's scene table. ``transition`` is in tenths of a second (Add
    Scene gives seconds, Enhanced Add Scene tenths); ``color_mode`` remembers which
    colour the lamp showed when the scene was stored, so a recall restores xy, ct or
    hue/saturation rather than guessing from the numbers."""

    group: int
    scene_id: int
    name: str = ""
    transition: int = 0
    fields: dict[int, dict[str, int]] | None = None
    color_mode: int | None = None

    def field_sets(self) -> list[FieldSet]:
        fields = self.fields or {}
        return [field_set(cluster, values) for cluster, values in sorted(fields.items())]

    def as_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "scene": self.scene_id,
            "name": self.name,
            "transition": self.transition,
            "fields": {f"0x{c:04x}": dict(v) for c, v in sorted((self.fields or {}).items())},
            "color_mode": self.color_mode,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Scene:
        raw_fields = data.get("fields") or {}
        assert isinstance(raw_fields, dict)
        mode = data.get("color_mode")
        return cls(
            group=int(str(data["group"])),
            scene_id=int(str(data["scene"])),
            name=str(data.get("name", "")),
            transition=int(str(data.get("transition", 0))),
            fields={
                int(str(c), 16): {str(k): int(v) for k, v in dict(values).items()}
                for c, values in raw_fields.items()
            },
            color_mode=None if mode is None else int(str(mode)),
        )
