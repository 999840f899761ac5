"""Repository for the KNX side: the Thinknx device catalogue and the Thinknx API users.

Plain dataclasses in and out, so the domain never sees a SQLAlchemy row. Replacing the
catalogue is one transaction: a reader sees the old catalogue or the new one, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.store.knx_models import (
    KnxCatalogueRow,
    KnxControllerRow,
    KnxDeviceRow,
    ThinknxUserRow,
)


@dataclass(frozen=True)
class StoredKnxController:
    controller: str
    command_ga: str | None
    status_ga: str | None
    dpt: str
    comm_obj: int
    status_comm_obj: int
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredKnxDevice:
    guid: str
    name: str
    type: str
    controllers: list[StoredKnxController]


@dataclass(frozen=True)
class StoredKnxCatalogue:
    source: str
    sha256: str
    loaded_at: datetime
    devices: list[StoredKnxDevice]


@dataclass(frozen=True)
class StoredThinknxUser:
    name: str
    realm: str
    ha1: str
    password_hash: str
    created_at: datetime
    updated_at: datetime


def _user(row: ThinknxUserRow) -> StoredThinknxUser:
    return StoredThinknxUser(
        row.name, row.realm, row.ha1, row.password_hash, row.created_at, row.updated_at
    )


class KnxRepository:
    """The catalogue (replace/load) and the users (get/put/delete/list)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- catalogue ------------------------------------------------------------------------

    async def load_catalogue(self) -> StoredKnxCatalogue | None:
        """The catalogue in service, or None if none was ever saved."""
        async with self._sessions() as session:
            meta = await session.get(KnxCatalogueRow, 1)
            if meta is None:
                return None
            devices = (
                await session.scalars(select(KnxDeviceRow).order_by(KnxDeviceRow.position))
            ).all()
            controllers = (
                await session.scalars(select(KnxControllerRow).order_by(KnxControllerRow.id))
            ).all()
        by_device: dict[str, list[StoredKnxController]] = {}
        for c in controllers:
            by_device.setdefault(c.device_guid, []).append(
                StoredKnxController(
                    c.controller,
                    c.command_ga,
                    c.status_ga,
                    c.dpt,
                    c.comm_obj,
                    c.status_comm_obj,
                    dict(c.options),
                )
            )
        return StoredKnxCatalogue(
            meta.source,
            meta.sha256,
            meta.loaded_at,
            [StoredKnxDevice(d.guid, d.name, d.type, by_device.get(d.guid, [])) for d in devices],
        )

    async def save_catalogue(self, catalogue: StoredKnxCatalogue) -> None:
        """Replace the catalogue in one transaction."""
        async with self._sessions() as session, session.begin():
            await session.execute(delete(KnxControllerRow))
            await session.execute(delete(KnxDeviceRow))
            await session.execute(delete(KnxCatalogueRow))
            session.add(
                KnxCatalogueRow(
                    id=1,
                    source=catalogue.source,
                    sha256=catalogue.sha256,
                    loaded_at=catalogue.loaded_at,
                )
            )
            for position, device in enumerate(catalogue.devices):
                session.add(
                    KnxDeviceRow(
                        guid=device.guid, position=position, name=device.name, type=device.type
                    )
                )
            await session.flush()
            for device in catalogue.devices:
                for c in device.controllers:
                    session.add(
                        KnxControllerRow(
                            device_guid=device.guid,
                            controller=c.controller,
                            command_ga=c.command_ga,
                            status_ga=c.status_ga,
                            dpt=c.dpt,
                            comm_obj=c.comm_obj,
                            status_comm_obj=c.status_comm_obj,
                            options=dict(c.options),
                        )
                    )

    # --- users ------------------------------------------------------------------------------

    async def get_user(self, name: str) -> StoredThinknxUser | None:
        async with self._sessions() as session:
            row = await session.scalar(select(ThinknxUserRow).where(ThinknxUserRow.name == name))
            return None if row is None else _user(row)

    async def put_user(self, user: StoredThinknxUser) -> bool:
        """Create the user or replace its secrets; True when it was created."""
        async with self._sessions() as session, session.begin():
            row = await session.scalar(
                select(ThinknxUserRow).where(ThinknxUserRow.name == user.name)
            )
            if row is None:
                session.add(
                    ThinknxUserRow(
                        name=user.name,
                        realm=user.realm,
                        ha1=user.ha1,
                        password_hash=user.password_hash,
                        created_at=user.created_at,
                        updated_at=user.updated_at,
                    )
                )
                return True
            row.realm = user.realm
            row.ha1 = user.ha1
            row.password_hash = user.password_hash
            row.updated_at = user.updated_at
            return False

    async def delete_user(self, name: str) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(ThinknxUserRow).where(ThinknxUserRow.name == name)
            )
            return bool(getattr(result, "rowcount", 0))

    async def list_users(self) -> list[StoredThinknxUser]:
        async with self._sessions() as session:
            rows = (
                await session.scalars(select(ThinknxUserRow).order_by(ThinknxUserRow.name))
            ).all()
            return [_user(r) for r in rows]
