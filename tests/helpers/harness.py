"""Builds the deCONZ API over a real store, for API tests (in-process ASGI or uvicorn)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.context import DeconzServices
from gateway.domain.apikeys import ApiKeyService
from gateway.domain.config import GatewayConfigService, SystemInfo
from gateway.domain.events import EventBus
from gateway.domain.radio import ZigbeeNetwork
from gateway.store import Store
from tests.helpers.fakes import FakeClock

SYSTEM = SystemInfo(
    ipaddress="192.0.2.10",
    netmask="255.255.255.0",
    gateway="192.0.2.1",
    mac="b8:27:eb:12:34:56",
    dhcp=True,
)


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class DeconzHarness:
    store: Store
    services: DeconzServices
    app: Starlette
    client: httpx.AsyncClient
    clock: FakeClock

    async def new_key(self, devicetype: str = "test#client") -> str:
        self.services.config.unlock(60)
        r = await self.client.post("/api", json={"devicetype": devicetype})
        assert r.status_code == 200, r.text
        self.services.config.unlock(0)
        return str(r.json()[0]["success"]["username"])

    async def restart(self) -> DeconzHarness:
        """New services over the same database, as after a process restart."""
        await self.client.aclose()
        await self.store.close()
        return await build_harness(
            self.store.url, network=self.services.config.network, clock=self.clock
        )


# The admin password the harness's gateway starts with (a real one generates its own).
ADMIN_PASSWORD = "harness-admin-password"


async def build_harness(
    url: str,
    *,
    network: ZigbeeNetwork | None = None,
    clock: FakeClock | None = None,
    allow_local_apikey: bool = False,
    client_host: str = "198.51.100.7",
    initial_password: str = ADMIN_PASSWORD,
) -> DeconzHarness:
    clock = clock or FakeClock()
    store = await Store.open(url)
    config = GatewayConfigService(
        store,
        default_name="gateway",
        network=network,
        system_info=lambda: SYSTEM,
        clock=clock,
        initial_password=initial_password,
    )
    await config.load()
    keys = ApiKeyService(store)
    await keys.load()
    services = DeconzServices(
        config=config,
        api_keys=keys,
        events=EventBus(),
        websocket_port=8088,
        allow_local_apikey=allow_local_apikey,
        version="test",
    )
    app = build_deconz_app(services)
    transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
    client = httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
    return DeconzHarness(store, services, app, client, clock)


@asynccontextmanager
async def harness(url: str, **kwargs: Any) -> AsyncIterator[DeconzHarness]:
    h = await build_harness(url, **kwargs)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.store.close()
