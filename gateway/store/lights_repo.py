"""Repository for lights: stable numeric ids, attributes and last known state.

Why ids come from the database: clients cache light ids, so an id must survive restarts
and re-joins and must never be handed to another light after a delete. The ``lights``
table uses SQLite's AUTOINCREMENT (PostgreSQL: a sequence), which never reuses a number;
a re-join finds the existing row by (ieee, endpoint) and keeps its id and name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import utcnow
from gateway.store.device_repo import NAME_MAX, DeviceRepository
from gateway.store.models import LightRow

__all__ = ["NAME_MAX", "LightsRepository", "StoredLight"]


@dataclass(frozen=True)
class StoredLight:
    """A detached copy of one light row."""

    id: int
    ieee: str
    endpoint: int
    name: str
    type: str
    manufacturername: str
    modelid: str
    swversion: str
    capabilities: dict[str, Any]
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def with_changes(self, **changes: Any) -> StoredLight:
        return replace(self, **changes)


def _to_stored(row: LightRow) -> StoredLight:
    return StoredLight(
        id=row.id,
        ieee=row.ieee,
        endpoint=row.endpoint,
        name=row.name,
        type=row.type,
        manufacturername=row.manufacturername,
        modelid=row.modelid,
        swversion=row.swversion,
        capabilities=dict(row.capabilities),
        state=dict(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class LightsRepository(DeviceRepository[LightRow, StoredLight]):
    """Every method is one committed transaction."""

    row_type = LightRow
    fixed_columns = ("id", "ieee", "endpoint", "created_at")

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, _to_stored)

    async def find(self, ieee: str, endpoint: int) -> StoredLight | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(LightRow).where(LightRow.ieee == ieee, LightRow.endpoint == endpoint)
            )
            return None if row is None else _to_stored(row)

    async def create(
        self,
        *,
        ieee: str,
        endpoint: int,
        type: str,
        manufacturername: str,
        modelid: str,
        swversion: str,
        capabilities: dict[str, Any],
        state: dict[str, Any],
        name: str | None = None,
    ) -> StoredLight:
        """Insert a light; without a name it gets deCONZ's default ``"<type> <id>"``."""
        now = utcnow()
        row = LightRow(
            ieee=ieee,
            endpoint=endpoint,
            name=(name or "")[:NAME_MAX],
            type=type,
            manufacturername=manufacturername[:64],
            modelid=modelid[:64],
            swversion=swversion[:64],
            capabilities=capabilities,
            state=state,
            created_at=now,
            updated_at=now,
        )
        return await self._insert(row, type_name=type, name=name)

    async def save_states(self, states: dict[int, dict[str, Any]]) -> None:
        """Write the state of several lights in one transaction (coalesced reports)."""
        if not states:
            return
        now = utcnow()
        # One executemany UPDATE: no SELECT, no ORM objects; a light deleted meanwhile
        # simply matches no row.
        table = cast(Table, LightRow.__table__)
        statement = (
            update(table)
            .where(table.c.id == bindparam("light_id"))
            .values(state=bindparam("new_state"), updated_at=bindparam("now"))
        )
        params = [{"light_id": i, "new_state": st, "now": now} for i, st in states.items()]
        async with self._sessions() as session, session.begin():
            await session.execute(statement, params)
