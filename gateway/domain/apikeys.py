"""API keys: who may use ``/api/<key>/...``.

Why an in-memory index over the store: every request is authenticated, so the check must
be a dictionary lookup, not a query. The store keeps only SHA-256 digests; the index is
keyed by digest and rebuilt from the store at start. A key is acknowledged to the client
only after its row is committed.

``last use date`` is bookkeeping, not acknowledged data: it is written at most once a
minute per key so that a busy client does not turn every GET into a disk write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from gateway import security
from gateway.clock import utcnow
from gateway.logsetup import redact
from gateway.store import Store, StoredApiKey

log = logging.getLogger(__name__)

TOUCH_INTERVAL_S = 60
KEY_ID_LENGTH = 16


# Home Assistant's Hue integration registers as "home-assistant#<host>" (through aiohue).
HUE_DEVICETYPE_PREFIXES = ("home-assistant#",)


def is_hue_devicetype(devicetype: str) -> bool:
    """Hue apps identify themselves by devicetype; they expect Hue bridge error semantics.

    The rule (README, "Hue clients"): a devicetype that contains "hue" in any case (phue
    sends "python_hue", aiohue's examples and Hue apps "hue_...", "Hue ...", "aiohue#...")
    or that starts with "home-assistant#" (Home Assistant's Hue integration). aiohue raises
    on any HTTP status but 200 (403 is its ``Unauthorized``), so these clients get every
    error with HTTP 200, as from a Hue bridge. pydeconz (and Home Assistant's deCONZ
    integration, which registers as "pydeconz") reads errors from the body and gets
    deCONZ's statuses.
    """
    lowered = devicetype.lower()
    return "hue" in lowered or lowered.startswith(HUE_DEVICETYPE_PREFIXES)


@dataclass(frozen=True)
class ApiClient:
    """An authenticated client, as the API layer sees it."""

    digest: str
    devicetype: str
    created_at: datetime
    last_used_at: datetime

    @property
    def key_id(self) -> str:
        """A public handle for the key (the whitelist shows this, never the key)."""
        return self.digest[:KEY_ID_LENGTH]

    @property
    def hue_mode(self) -> bool:
        return is_hue_devicetype(self.devicetype)


class ApiKeyService:
    def __init__(self, store: Store, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._now = now
        self._clients: dict[str, ApiClient] = {}
        self._touch_tasks: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        self._clients = {k.digest: _client(k) for k in await self._store.api_keys.all()}

    def clients(self) -> list[ApiClient]:
        return sorted(self._clients.values(), key=lambda c: c.created_at)

    async def create(self, devicetype: str, username: str | None = None) -> str:
        """Register a client; returns the key (the given username or a random one).

        Registering a username that already exists returns it unchanged, as deCONZ does.
        """
        key = username if username is not None else security.new_api_key()
        digest = security.api_key_digest(key)
        if digest in self._clients:
            return key
        now = self._now()
        stored = StoredApiKey(digest, devicetype, now, now)
        await self._store.api_keys.add(stored)
        self._clients[digest] = _client(stored)
        log.info("created api key %s for devicetype %r", redact(key), devicetype)
        return key

    def authenticate(self, key: str) -> ApiClient | None:
        """The client for ``key``, or None; refreshes its last-use date now and then."""
        digest = security.api_key_digest(key)
        client = self._clients.get(digest)
        if client is None or not security.digests_equal(client.digest, digest):
            return None
        now = self._now()
        if (now - client.last_used_at).total_seconds() >= TOUCH_INTERVAL_S:
            client = replace(client, last_used_at=now)
            self._clients[digest] = client
            task = asyncio.get_running_loop().create_task(self._store.api_keys.touch(digest, now))
            self._touch_tasks.add(task)
            task.add_done_callback(self._touch_tasks.discard)
        return client

    def find(self, key_or_id: str) -> ApiClient | None:
        """Look a client up by its key or by the public key id the whitelist shows."""
        client = self._clients.get(security.api_key_digest(key_or_id))
        if client is not None:
            return client
        if len(key_or_id) == KEY_ID_LENGTH:
            for candidate in self._clients.values():
                if security.digests_equal(candidate.key_id, key_or_id.lower()):
                    return candidate
        return None

    async def delete(self, client: ApiClient) -> None:
        await self._store.api_keys.delete(client.digest)
        self._clients.pop(client.digest, None)
        log.info("deleted api key id %s (%r)", client.key_id, client.devicetype)

    async def drain(self) -> None:
        """Wait for pending last-use writes (at shutdown)."""
        if self._touch_tasks:
            await asyncio.gather(*self._touch_tasks, return_exceptions=True)


def _client(stored: StoredApiKey) -> ApiClient:
    return ApiClient(stored.digest, stored.devicetype, stored.created_at, stored.last_used_at)
