"""What the lights' and the sensors' repositories share: one row per device, kept forever.

Why a base: both tables hand out ids that clients cache (AUTOINCREMENT, never reused),
name a new row after deCONZ's ``"<type> <id>"`` default, refuse to change the columns that
identify the device, and read, update and delete one row per committed transaction. The
two repositories had the same code for that; they keep what differs (their columns,
their coalesced state writes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import utcnow
from gateway.store.models import Base

NAME_MAX = 32

RowT = TypeVar("RowT", bound=Base)
StoredT = TypeVar("StoredT")


class DeviceRepository(Generic[RowT, StoredT]):
    """Every method is one committed transaction; results are detached copies."""

    row_type: type[RowT]
    fixed_columns: tuple[str, ...] = ("id", "created_at")

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], to_stored: Callable[[RowT], StoredT]
    ) -> None:
        self._sessions = sessions
        self._to_stored = to_stored
        self._id: Any = self.row_type.id  # type: ignore[attr-defined]

    async def all(self) -> list[StoredT]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(self.row_type).order_by(self._id))).all()
            return [self._to_stored(r) for r in rows]

    async def get(self, row_id: int) -> StoredT | None:
        async with self._sessions() as session:
            row = await session.get(self.row_type, row_id)
            return None if row is None else self._to_stored(row)

    async def update(self, row_id: int, **changes: Any) -> StoredT | None:
        """Change columns of one row (not the fixed ones); None if it is gone."""
        async with self._sessions() as session, session.begin():
            row = await session.get(self.row_type, row_id)
            if row is None:
                return None
            for name, value in changes.items():
                if name in self.fixed_columns:
                    raise ValueError(f"{name} cannot be changed")
                setattr(row, name, value)
            row.updated_at = utcnow()  # type: ignore[attr-defined]
            stored = self._to_stored(row)
        return stored

    async def delete(self, row_id: int) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(self.row_type).where(self._id == row_id))
            return bool(getattr(result, "rowcount", 0))

    async def _insert(self, row: RowT, *, type_name: str, name: str | None) -> StoredT:
        """Add ``row``; without a ``name`` it is named ``"<type> <id>"`` once it has an id."""
        async with self._sessions() as session, session.begin():
            session.add(row)
            await session.flush()
            if name is None:
                row.name = f"{type_name} {row.id}"[:NAME_MAX]  # type: ignore[attr-defined]
            stored = self._to_stored(row)
        return stored
