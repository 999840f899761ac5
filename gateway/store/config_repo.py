"""Repository for the single gateway configuration row."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import utcnow
from gateway.store.models import GatewayConfigRow

CONFIG_ROW_ID = 1


@dataclass(frozen=True)
class StoredConfig:
    """A detached, immutable copy of the configuration row."""

    name: str
    uuid: str
    bridgeid: str | None
    timezone: str
    timeformat: str
    updatechannel: str
    groupdelay: int
    otauactive: bool
    discovery: bool
    rfconnected: bool
    websocketnotifyall: bool
    networkopenduration: int
    zigbeechannel: int
    admin_username: str
    admin_password_hash: str
    updated_at: datetime

    def with_changes(self, **changes: Any) -> StoredConfig:
        return replace(self, **changes)


_FIELDS = [f.name for f in fields(StoredConfig)]


def _to_stored(row: GatewayConfigRow) -> StoredConfig:
    return StoredConfig(**{name: getattr(row, name) for name in _FIELDS})


class ConfigRepository:
    """Loads and saves the configuration; every save is one committed transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self) -> StoredConfig | None:
        async with self._sessions() as session:
            row = await session.get(GatewayConfigRow, CONFIG_ROW_ID)
            return None if row is None else _to_stored(row)

    async def save(self, config: StoredConfig) -> StoredConfig:
        """Insert or update the row; returns what was committed."""
        saved = config.with_changes(updated_at=utcnow())
        async with self._sessions() as session, session.begin():
            row = await session.get(GatewayConfigRow, CONFIG_ROW_ID)
            if row is None:
                row = GatewayConfigRow(id=CONFIG_ROW_ID)
                session.add(row)
            for name in _FIELDS:
                setattr(row, name, getattr(saved, name))
        return saved
