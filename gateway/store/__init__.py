"""The store: the only package that speaks SQL.

``Store`` bundles the engine and one repository per aggregate. Other aggregates (lights,
KNX devices, Thinknx users) add their repository here as they arrive.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.store.apikeys_repo import ApiKeyRepository, StoredApiKey
from gateway.store.bindings_repo import BindingsRepository
from gateway.store.config_repo import ConfigRepository, StoredConfig
from gateway.store.db import StoreError, make_async_engine, make_sessionmaker, prepare_database
from gateway.store.groups_repo import GroupsRepository
from gateway.store.knx_repo import KnxRepository
from gateway.store.lights_repo import LightsRepository
from gateway.store.sensors_repo import SensorsRepository

__all__ = [
    "ApiKeyRepository",
    "ConfigRepository",
    "Store",
    "StoreError",
    "StoredApiKey",
    "StoredConfig",
]


class Store:
    """Engine, session factory and repositories for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = make_async_engine(url)
        self.sessions: async_sessionmaker[AsyncSession] = make_sessionmaker(self.engine)
        self.config = ConfigRepository(self.sessions)
        self.api_keys = ApiKeyRepository(self.sessions)
        self.knx = KnxRepository(self.sessions)
        self.lights = LightsRepository(self.sessions)
        self.bindings = BindingsRepository(self.sessions)
        self.groups = GroupsRepository(self.sessions)
        self.sensors = SensorsRepository(self.sessions)

    @classmethod
    async def open(cls, url: str) -> Store:
        """Check integrity, migrate, then open: the order start-up needs."""
        await prepare_database(url)
        return cls(url)

    async def close(self) -> None:
        await self.engine.dispose()
