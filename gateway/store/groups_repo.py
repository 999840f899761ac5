"""Repository for groups and their scenes.

Why group ids come from the database: a group's id is also its Zigbee group address, which
is written into every member lamp; it must survive restarts and must not be handed to a
new group while lamps may still carry the old membership (AUTOINCREMENT never reuses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import utcnow
from gateway.store.groups_models import GroupRow, SceneRow

GROUP_FIELDS = ("name", "type", "group_class", "hidden", "lights", "action", "radio_sync")


@dataclass(frozen=True)
class StoredScene:
    group_id: int
    scene_id: int
    name: str
    transitiontime: int
    states: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)  # Hue v1 attributes (migration 0006)


@dataclass(frozen=True)
class StoredGroup:
    id: int
    name: str
    type: str
    group_class: str
    hidden: bool
    lights: list[str]
    action: dict[str, Any]
    radio_sync: dict[str, Any]


def _group(row: GroupRow) -> StoredGroup:
    return StoredGroup(
        id=row.id,
        name=row.name,
        type=row.type,
        group_class=row.group_class,
        hidden=row.hidden,
        lights=list(row.lights),
        action=dict(row.action),
        radio_sync=dict(row.radio_sync),
    )


def _scene(row: SceneRow) -> StoredScene:
    return StoredScene(
        row.group_id, row.scene_id, row.name, row.transitiontime, dict(row.states),
        dict(row.meta or {}),
    )  # fmt: skip


class GroupsRepository:
    """Every method is one committed transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def all(self) -> list[StoredGroup]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(GroupRow).order_by(GroupRow.id))).all()
            return [_group(r) for r in rows]

    async def create(self, **fields: Any) -> StoredGroup:
        now = utcnow()
        async with self._sessions() as session, session.begin():
            row = GroupRow(created_at=now, updated_at=now, **fields)
            session.add(row)
            await session.flush()
            stored = _group(row)
        return stored

    async def update(self, group_id: int, **changes: Any) -> StoredGroup | None:
        async with self._sessions() as session, session.begin():
            row = await session.get(GroupRow, group_id)
            if row is None:
                return None
            for name, value in changes.items():
                if name not in GROUP_FIELDS:
                    raise ValueError(f"{name} cannot be changed")
                setattr(row, name, value)
            row.updated_at = utcnow()
            stored = _group(row)
        return stored

    async def delete(self, group_id: int) -> bool:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(SceneRow).where(SceneRow.group_id == group_id))
            result = await session.execute(delete(GroupRow).where(GroupRow.id == group_id))
            return bool(getattr(result, "rowcount", 0))

    # -- scenes ------------------------------------------------------------------------------

    async def scenes(self) -> list[StoredScene]:
        async with self._sessions() as session:
            query = select(SceneRow).order_by(SceneRow.group_id, SceneRow.scene_id)
            return [_scene(r) for r in (await session.scalars(query)).all()]

    async def save_scene(self, scene: StoredScene) -> None:
        """Insert or replace the scene (group id, scene id)."""
        async with self._sessions() as session, session.begin():
            row = await session.scalar(
                select(SceneRow).where(
                    SceneRow.group_id == scene.group_id, SceneRow.scene_id == scene.scene_id
                )
            )
            if row is None:
                row = SceneRow(group_id=scene.group_id, scene_id=scene.scene_id)
                session.add(row)
            row.name = scene.name
            row.transitiontime = scene.transitiontime
            row.states = dict(scene.states)
            row.meta = dict(scene.meta)

    async def delete_scene(self, group_id: int, scene_id: int) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(SceneRow).where(SceneRow.group_id == group_id, SceneRow.scene_id == scene_id)
            )
            return bool(getattr(result, "rowcount", 0))
