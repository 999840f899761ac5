"""Thinknx API users: who may call the Integration Kit, kept as hashes only.

Why two hashes per user: HTTP Digest (RFC 7616) proves knowledge of MD5(user:realm:password)
("HA1"), so that is what Digest needs at rest; Basic and query credentials carry the password
itself, which we check against a salted scrypt hash (``gateway.security``) so that a stolen
database does not hand out Basic passwords by a table lookup.

scrypt costs tens of milliseconds and 16 MiB per check, on purpose. A client that sends
Basic credentials with every request (``http://user:pass@host`` URLs do) would pay that each
time, so a successful check is remembered for a few minutes as a keyed hash of the password
under a per-process key, tied to the stored hash (a changed password misses the cache).
Checks run in the process-wide password threads (``gateway.security``), shared with the
admin password, so the event loop and memory stay free.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from gateway.security import hash_password, verify_password_off_loop
from gateway.store.knx_repo import KnxRepository, StoredThinknxUser

REALM: Final = "thinknx"
"""The Digest realm. HA1 depends on it, so it is stored with each user and never changes."""
NAME_RE: Final = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
"""User names travel in Basic (no ':'), Digest (quoted) and query strings: keep them plain."""
MIN_PASSWORD: Final = 8
MAX_PASSWORD: Final = 256
CACHE_SECONDS: Final = 300.0
CACHE_ENTRIES: Final = 256


class UserError(ValueError):
    """A user name or password that cannot be used; the message says why."""


def digest_ha1(name: str, realm: str, password: str) -> str:
    """MD5(name:realm:password) in hex, as RFC 7616 defines it for ``algorithm=MD5``."""
    data = f"{name}:{realm}:{password}".encode()
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def check_name(name: str) -> None:
    if not NAME_RE.match(name):
        raise UserError("user name must be 1..64 letters, digits, '.', '_', '@' or '-'")


def check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(f"password must be {MIN_PASSWORD}..{MAX_PASSWORD} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise UserError("password must not contain control characters")


@dataclass(frozen=True)
class _Verified:
    stored_hash: str
    tag: bytes
    until: float


class ThinknxUsers:
    """Add, remove and list users; verify passwords; give Digest its HA1."""

    def __init__(self, repo: KnxRepository, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._repo = repo
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._verified: OrderedDict[str, _Verified] = OrderedDict()
        self._dummy: str | None = None

    async def add(self, name: str, password: str) -> bool:
        """Create ``name`` or set its password; True when created."""
        check_name(name)
        check_password(password)
        password_hash = await asyncio.to_thread(hash_password, password)
        now = datetime.now(UTC).replace(microsecond=0)
        user = StoredThinknxUser(
            name, REALM, digest_ha1(name, REALM, password), password_hash, now, now
        )
        self._verified.pop(name, None)
        return await self._repo.put_user(user)

    async def remove(self, name: str) -> bool:
        self._verified.pop(name, None)
        return await self._repo.delete_user(name)

    async def names(self) -> list[str]:
        return [user.name for user in await self._repo.list_users()]

    async def verify_password(self, name: str, password: str) -> bool:
        """True if ``password`` is ``name``'s; constant time, never logs either."""
        user = await self._repo.get_user(name) if NAME_RE.match(name) else None
        if user is None:
            # Same work as for a real user: response times do not tell names apart.
            if self._dummy is None:  # a random password's hash, made on first use
                self._dummy = await asyncio.to_thread(hash_password, secrets.token_hex(16))
            await verify_password_off_loop(password, self._dummy)
            return False
        tag = hmac.new(self._key, password.encode("utf-8", "surrogatepass"), "sha256").digest()
        cached = self._verified.get(name)
        now = self._clock()
        if (
            cached is not None
            and cached.stored_hash == user.password_hash
            and cached.until > now
            and hmac.compare_digest(cached.tag, tag)
        ):
            return True
        ok = await verify_password_off_loop(password, user.password_hash)
        if ok:
            self._verified[name] = _Verified(user.password_hash, tag, now + CACHE_SECONDS)
            self._verified.move_to_end(name)
            while len(self._verified) > CACHE_ENTRIES:
                self._verified.popitem(last=False)
        return ok

    async def ha1(self, name: str, realm: str) -> str | None:
        """The stored HA1 of ``name`` for ``realm``; None for unknown users or realms."""
        if not NAME_RE.match(name):
            return None
        user = await self._repo.get_user(name)
        if user is None or user.realm != realm:
            return None
        return user.ha1

    async def count(self) -> int:
        return len(await self._repo.list_users())
