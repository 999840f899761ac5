"""Repository for sensors: stable ids, attributes, last state and configuration.

Why ids come from the database: clients (Home Assistant, rules) cache sensor ids, so an id
survives restarts and re-joins and is never handed to another sensor after a delete
(AUTOINCREMENT / a sequence). A re-joining device finds its rows by ``uniqueid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import utcnow
from gateway.store.device_repo import NAME_MAX, DeviceRepository
from gateway.store.sensor_models import SensorRow

__all__ = ["FIXED_COLUMNS", "NAME_MAX", "SensorsRepository", "StoredSensor"]
FIXED_COLUMNS = ("id", "uniqueid", "ieee", "endpoint", "cluster", "created_at")


@dataclass(frozen=True)
class StoredSensor:
    """A detached copy of one sensor row."""

    id: int
    uniqueid: str
    ieee: str | None
    endpoint: int | None
    cluster: int | None
    type: str
    name: str
    manufacturername: str
    modelid: str
    swversion: str
    state: dict[str, Any]
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _to_stored(row: SensorRow) -> StoredSensor:
    return StoredSensor(
        id=row.id,
        uniqueid=row.uniqueid,
        ieee=row.ieee,
        endpoint=row.endpoint,
        cluster=row.cluster,
        type=row.type,
        name=row.name,
        manufacturername=row.manufacturername,
        modelid=row.modelid,
        swversion=row.swversion,
        state=dict(row.state),
        config=dict(row.config),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SensorsRepository(DeviceRepository[SensorRow, StoredSensor]):
    """Every method is one committed transaction."""

    row_type = SensorRow
    fixed_columns = FIXED_COLUMNS

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, _to_stored)

    async def create(
        self,
        *,
        uniqueid: str,
        type: str,
        manufacturername: str,
        modelid: str,
        swversion: str,
        state: dict[str, Any],
        config: dict[str, Any],
        ieee: str | None = None,
        endpoint: int | None = None,
        cluster: int | None = None,
        name: str | None = None,
    ) -> StoredSensor:
        """Insert a sensor; without a name it gets deCONZ's default ``"<type> <id>"``."""
        now = utcnow()
        row = SensorRow(
            uniqueid=uniqueid[:64],
            ieee=ieee,
            endpoint=endpoint,
            cluster=cluster,
            type=type[:40],
            name=(name or "")[:NAME_MAX],
            manufacturername=manufacturername[:64],
            modelid=modelid[:64],
            swversion=swversion[:64],
            state=state,
            config=config,
            created_at=now,
            updated_at=now,
        )
        return await self._insert(row, type_name=type, name=name)

    async def save_states(self, values: dict[int, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Write (state, config) of several sensors in one transaction (coalesced reports)."""
        if not values:
            return
        now = utcnow()
        async with self._sessions() as session, session.begin():
            rows = (await session.scalars(select(SensorRow).where(SensorRow.id.in_(values)))).all()
            for row in rows:
                row.state, row.config = values[row.id]
                row.updated_at = now
