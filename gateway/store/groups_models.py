"""Models of groups and scenes (deCONZ REST "groups" and "scenes").

Why scenes keep every member's state here although the lamps store them too: a lamp keeps
its scene through a power cycle, but the API must list scenes and show their per-light
states without asking every lamp, and a lamp that was replaced must get the scene again.
``radio_sync`` lists the lights whose Zigbee group membership still has to be written (or
removed) because they were unreachable when the group changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models import Base


class GroupRow(Base):
    """A group; ``id`` is also its 16-bit Zigbee group address (as in deCONZ)."""

    __tablename__ = "groups"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(16))
    group_class: Mapped[str] = mapped_column("class", String(32))
    hidden: Mapped[bool]
    lights: Mapped[list[str]] = mapped_column(JSON)  # light ids in lightsequence order
    action: Mapped[dict[str, Any]] = mapped_column(JSON)
    radio_sync: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"add": [...], "remove": [...]}
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SceneRow(Base):
    """A scene of one group; ``scene_id`` is the ZCL scene id (1..255) inside the group."""

    __tablename__ = "scenes"
    __table_args__ = (UniqueConstraint("group_id", "scene_id", name="uq_scenes_group_scene"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    scene_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))
    transitiontime: Mapped[int] = mapped_column(Integer)
    states: Mapped[dict[str, Any]] = mapped_column(JSON)  # light id -> stored state
    # What Hue v1 clients keep with a scene (``/api/<key>/scenes``): owner, recycle,
    # appdata, picture, image, type, lastupdated. Migration 0006 (a JSON object, so a new
    # Hue attribute needs no migration of its own).
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, server_default="{}")
