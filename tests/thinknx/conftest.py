"""Fixtures for the Thinknx API: the KNX emulator, a real KnxLink to it, a real store, and the
Thinknx app as the gateway assembles it (``gateway.app.knx_side.build_thinknx``) behind a real
uvicorn socket.

Speed: migrations and the scrypt hash of the test user are made once per session in a
template database that every test copies; the rest is built per test so tests share nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from gateway.app.knx_side import ThinknxStack, build_thinknx, load_catalogue
from gateway.knx.link import KnxLink, LinkState
from gateway.knx.users import ThinknxUsers
from gateway.settings import KnxSection, ThinknxSection
from gateway.store import Store
from gateway.store.db import upgrade_database
from hil.emulators.knx import BusTelegram, KnxEmulator, ServerOptions, default_devices
from hil.virtual_knx import VIRTUAL_CATALOGUE
from tests.helpers.servers import running_server

USER = "service"
PASSWORD = "integration-kit"
FEEDBACK_TIMEOUT = 0.5
FAST_KNX = {"probe_interval": 0.3, "request_timeout": 1.0}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the test user in it."""
    path = tmp_path_factory.mktemp("thinknx-template") / "gateway.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)

    async def add_user() -> None:
        store = Store(url)
        try:
            await ThinknxUsers(store.knx).add(USER, PASSWORD)
        finally:
            await store.close()

    asyncio.run(add_user())
    return path


@pytest.fixture
async def store(tmp_path: Path, template_db: Path) -> AsyncIterator[Store]:
    path = tmp_path / "gateway.db"
    shutil.copy(template_db, path)
    opened = Store(f"sqlite:///{path}")
    yield opened
    await opened.close()


@pytest.fixture
async def emulator() -> AsyncIterator[KnxEmulator]:
    emu = KnxEmulator(default_devices(), options=ServerOptions(heartbeat_timeout=30))
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def link(emulator: KnxEmulator) -> AsyncIterator[KnxLink]:
    connected = KnxLink(
        KnxSection(mode="tunnel_udp", gateway_host="127.0.0.1", gateway_port=emulator.port,
                   **FAST_KNX)  # type: ignore[arg-type]
    )  # fmt: skip
    await connected.start()
    await connected.wait_for_state(LinkState.CONNECTED, 5)
    yield connected
    await connected.stop()


def query(**params: Any) -> str:
    """A query string; ``None`` values become bare flags (``fb``), as in the spec's examples."""
    parts = []
    for name, value in params.items():
        if value is None:
            parts.append(name)
        else:
            parts.append(f"{name}={quote(str(value), safe='/')}")
    return "&".join(parts)


@dataclass
class Rig:
    """The Thinknx API over the emulator, and helpers to look at the bus."""

    emulator: KnxEmulator
    link: KnxLink
    store: Store
    stack: ThinknxStack
    base_url: str
    client: httpx.AsyncClient
    catalogue_path: Path
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        """GET /api/V1/<path>?<params> with the test user's Basic credentials."""
        url = f"/api/V1/{path}"
        if params:
            url += "?" + query(**params)
        return await self.client.get(url)

    async def warm_up(self) -> None:
        """One answered request, so that a timed request after it holds no connect and no
        password check.

        A client's first request opens its connection and checks the Basic credentials with
        scrypt (off the loop, then cached); on a loaded CI machine that alone took 0.9 s
        once, which is not what the timing tests measure.
        """
        r = await self.get("system/serverStatus")
        assert r.status_code == 200, r.text

    def mark(self) -> int:
        """Position in the bus log; see :meth:`sent_since`."""
        return len(self.emulator.bus_log)

    def sent_since(self, mark: int) -> list[BusTelegram]:
        """Telegrams our tunnel put on the bus since ``mark``."""
        return [t for t in self.emulator.bus_log[mark:] if t.origin.startswith("tunnel")]

    def new_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """Another HTTP client to this server (closed with the rig)."""
        kwargs.setdefault("timeout", 10)
        client = httpx.AsyncClient(base_url=self.base_url, **kwargs)
        self._clients.append(client)
        return client


RigFactory = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(
    emulator: KnxEmulator, link: KnxLink, store: Store, tmp_path: Path
) -> AsyncIterator[RigFactory]:
    """Build the API with custom settings or catalogue text (default: the virtual rig's)."""
    async with contextlib.AsyncExitStack() as exit_stack:

        async def make(
            *,
            catalogue: str | None = None,
            knx_link: KnxLink | None = None,
            nonce_lifetime: float = 300.0,
            **settings: Any,
        ) -> Rig:
            path = tmp_path / "devices.toml"
            if catalogue is None:
                shutil.copy(VIRTUAL_CATALOGUE, path)
            else:
                path.write_text(catalogue)
            values: dict[str, Any] = {"feedback_timeout": FEEDBACK_TIMEOUT}
            values.update(settings)
            catalogues = await load_catalogue(store, path, poll_interval=0.05)
            stack = build_thinknx(
                knx_link or link,
                store,
                ThinknxSection(**values),
                catalogues,
                nonce_lifetime=nonce_lifetime,
            )
            exit_stack.push_async_callback(stack.stop)
            base_url = await exit_stack.enter_async_context(running_server(stack.app))
            client = httpx.AsyncClient(
                base_url=base_url, auth=httpx.BasicAuth(USER, PASSWORD), timeout=10
            )
            rig = Rig(emulator, knx_link or link, store, stack, base_url, client, path)

            async def close_clients() -> None:
                for c in [client, *rig._clients]:
                    await c.aclose()

            exit_stack.push_async_callback(close_clients)
            return rig

        yield make


@pytest.fixture
async def rig(make_rig: RigFactory) -> Rig:
    """The API with the virtual rig's catalogue and the default settings for tests."""
    return await make_rig()
