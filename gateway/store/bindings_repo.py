"""Repository for the bindings created through the REST API (``/api/<key>/bindings``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import utcnow
from gateway.store.bindings_models import BindingRow


@dataclass(frozen=True)
class StoredBinding:
    id: int
    name: str
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _to_stored(row: BindingRow) -> StoredBinding:
    return StoredBinding(row.id, row.name, dict(row.config), row.created_at, row.updated_at)


class BindingsRepository:
    """Every method is one committed transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def all(self) -> list[StoredBinding]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(BindingRow).order_by(BindingRow.id))).all()
            return [_to_stored(r) for r in rows]

    async def create(self, name: str, config: dict[str, Any]) -> StoredBinding:
        now = utcnow()
        async with self._sessions() as session, session.begin():
            row = BindingRow(name=name, config=config, created_at=now, updated_at=now)
            session.add(row)
            await session.flush()
            stored = _to_stored(row)
        return stored

    async def update(self, binding_id: int, name: str, config: dict[str, Any]) -> bool:
        async with self._sessions() as session, session.begin():
            row = await session.get(BindingRow, binding_id)
            if row is None:
                return False
            row.name, row.config, row.updated_at = name, config, utcnow()
        return True

    async def delete(self, binding_id: int) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(BindingRow).where(BindingRow.id == binding_id))
            return bool(getattr(result, "rowcount", 0))
