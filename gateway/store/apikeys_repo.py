"""Repository for API keys, stored as SHA-256 digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.store.models import ApiKeyRow


@dataclass(frozen=True)
class StoredApiKey:
    digest: str
    devicetype: str
    created_at: datetime
    last_used_at: datetime


def _to_stored(row: ApiKeyRow) -> StoredApiKey:
    return StoredApiKey(row.digest, row.devicetype, row.created_at, row.last_used_at)


class ApiKeyRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def all(self) -> list[StoredApiKey]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))).all()
            return [_to_stored(r) for r in rows]

    async def add(self, key: StoredApiKey) -> None:
        async with self._sessions() as session, session.begin():
            session.add(
                ApiKeyRow(
                    digest=key.digest,
                    devicetype=key.devicetype,
                    created_at=key.created_at,
                    last_used_at=key.last_used_at,
                )
            )

    async def delete(self, digest: str) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(ApiKeyRow).where(ApiKeyRow.digest == digest))
            return bool(getattr(result, "rowcount", 0))

    async def touch(self, digest: str, when: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ApiKeyRow).where(ApiKeyRow.digest == digest).values(last_used_at=when)
            )
