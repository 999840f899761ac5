"""Who is calling: HTTP Basic, HTTP Digest (RFC 7616, MD5, qop=auth) or query credentials.

The spec names three ways: ``http://user:pass@host:5051/...&auth=digest`` (or
``auth=basic``), which clients turn into an ``Authorization`` header, and
``...&auth=basic&user=NAME&pass=PASSWORD`` in the query (or, for POST, the form body).

* Query credentials (``user`` and ``pass``), when present, decide.
* Otherwise the ``Authorization`` header: ``Basic`` or ``Digest``, whatever ``auth`` says
  (curl and Python's requests turn ``user:pass@`` into Basic even when the URL says
  ``auth=digest``; refusing them would break the spec's own example).
* No credentials: **401** with challenges, so that Digest clients (curl ``--digest``, httpx
  ``DigestAuth``, browsers) can answer. ``auth=digest`` offers Digest, ``auth=basic`` Basic,
  neither both, Digest first.
* Wrong credentials: **403** ``authentication failed``, as the spec says.
* Too many wrong credentials from one address (or everywhere): **429** with
  ``Retry-After``, before any check (``gateway.api.guessing``).
* A Digest answer whose password is right but whose nonce expired (``NONCE_LIFETIME``),
  is unknown (issued before a restart) or was already used with that ``nc`` gets 401 with
  ``stale=true``: the client retries with the new nonce without asking anybody.

Digest checks: algorithm MD5 (or absent), qop ``auth`` (RFC 2069 answers without qop are
refused: they have no replay protection), ``realm`` ours, ``uri`` exactly the request target
(path and query as sent), ``response`` = MD5(HA1:nonce:nc:cnonce:auth:MD5(method:uri)),
compared in constant time. Nonces live in memory, bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

from gateway.api.guessing import GuessThrottle
from gateway.api.thinknx import errors
from gateway.api.thinknx.params import Params
from gateway.security import decode_basic_credentials

log = logging.getLogger(__name__)

NONCE_LIFETIME: Final = 300.0
MAX_NONCES: Final = 4096
MAX_USES_PER_NONCE: Final = 4096
MAX_HEADER: Final = 4096

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NAME_EQ: Final = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*")
_NC: Final = re.compile(r"[0-9a-fA-F]{8}")


class UserDirectory(Protocol):
    """What authentication needs from the user service (``gateway.knx.users``)."""

    async def verify_password(self, name: str, password: str) -> bool: ...

    async def ha1(self, name: str, realm: str) -> str | None: ...


def parse_auth_params(text: str) -> dict[str, str] | None:
    """``a=b, c="d \\" e"`` -> {"a": "b", "c": 'd " e'}; None when malformed or repeated.

    Names are lower-cased (RFC 7235 auth-params are case-insensitive); values are tokens or
    quoted strings with backslash escapes.
    """
    if len(text) > MAX_HEADER:
        return None
    result: dict[str, str] = {}
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t,":
            pos += 1
        if pos == end:
            return result
        match = _NAME_EQ.match(text, pos)
        if match is None:
            return None
        name = match.group(1).lower()
        pos = match.end()
        if pos < end and text[pos] == '"':
            pos += 1
            chars: list[str] = []
            while pos < end and text[pos] != '"':
                if text[pos] == "\\":
                    pos += 1
                    if pos == end:
                        return None
                chars.append(text[pos])
                pos += 1
            if pos == end:
                return None
            pos += 1
            value = "".join(chars)
        else:
            token = _TOKEN.match(text, pos)
            if token is None:
                return None
            value = token.group(0)
            pos = token.end()
        if name in result:
            return None
        result[name] = value
        while pos < end and text[pos] in " \t":
            pos += 1
        if pos < end and text[pos] != ",":
            return None


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass
class _Nonce:
    expires: float
    used: set[int] = field(default_factory=set)


class NonceStore:
    """Nonces we handed out, until they expire; each ``nc`` may be used once."""

    def __init__(
        self,
        lifetime: float = NONCE_LIFETIME,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_nonces: int = MAX_NONCES,
    ) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._max = max_nonces
        self._nonces: OrderedDict[str, _Nonce] = OrderedDict()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)
        self._nonces[nonce] = _Nonce(self._clock() + self.lifetime)
        while len(self._nonces) > self._max:
            self._nonces.popitem(last=False)
        return nonce

    def use(self, nonce: str, nc: int) -> bool:
        """True the first time ``nc`` is used with a live ``nonce`` of ours."""
        entry = self._nonces.get(nonce)
        if entry is None:
            return False
        if entry.expires <= self._clock():
            del self._nonces[nonce]
            return False
        if nc in entry.used or len(entry.used) >= MAX_USES_PER_NONCE:
            return False
        entry.used.add(nc)
        return True


@dataclass(frozen=True)
class Credentials:
    """What the request carries, before checking."""

    method: str
    target: str  # the request target as sent: raw path, then "?" and the raw query if any
    authorization: str | None
    params: Params
    client: str


class Authenticator:
    """Checks a request's credentials; returns the user name or raises the error answer."""

    def __init__(
        self,
        users: UserDirectory,
        *,
        realm: str,
        nonces: NonceStore | None = None,
        throttle: GuessThrottle | None = None,
    ) -> None:
        self._users = users
        self.realm = realm
        self._nonces = nonces or NonceStore()
        self.throttle = throttle or GuessThrottle("thinknx")
        self._opaque = secrets.token_hex(16)

    async def authenticate(self, request: Credentials) -> str:
        params = request.params
        name, password = params.get("user"), params.get("pass")
        header = request.authorization
        if name is not None or password is not None or header:
            wait = self.throttle.retry_after(request.client)
            if wait > 0:
                raise errors.rate_limited(wait)
        if name is not None or password is not None:
            return await self._password(request, "query", name or "", password or "")
        if header:
            scheme, _, rest = header.strip().partition(" ")
            if scheme.lower() == "basic":
                decoded = decode_basic_credentials(rest)
                if decoded is None:
                    raise self._failed(request, "basic", "")
                return await self._password(request, "basic", *decoded)
            if scheme.lower() == "digest":
                return await self._digest(request, rest)
        raise errors.authentication_required(self._challenges(params.get("auth"), stale=False))

    async def _password(self, request: Credentials, scheme: str, name: str, password: str) -> str:
        if name and await self._users.verify_password(name, password):
            self.throttle.succeeded(request.client)
            return name
        raise self._failed(request, scheme, name)

    async def _digest(self, request: Credentials, text: str) -> str:
        fields = parse_auth_params(text)
        required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
        if (
            fields is None
            or any(key not in fields for key in required)
            or fields.get("algorithm", "MD5").upper() != "MD5"
            or fields["qop"] != "auth"
            or not _NC.fullmatch(fields["nc"])
        ):
            # Not an answer to a challenge of ours: offer one.
            raise errors.authentication_required(self._challenges("digest", stale=False))
        name = fields["username"]
        ha1 = await self._users.ha1(name, self.realm) if fields["realm"] == self.realm else None
        if ha1 is None or fields["uri"] != request.target:
            raise self._failed(request, "digest", name)
        ha2 = _md5(f"{request.method}:{fields['uri']}")
        expected = _md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        if not hmac.compare_digest(expected, fields["response"].lower()):
            raise self._failed(request, "digest", name)
        opaque_ok = fields.get("opaque", self._opaque) == self._opaque
        if not opaque_ok or not self._nonces.use(fields["nonce"], int(fields["nc"], 16)):
            raise errors.authentication_required(self._challenges("digest", stale=True))
        self.throttle.succeeded(request.client)
        return name

    def _challenges(self, wanted: str | None, *, stale: bool) -> tuple[str, ...]:
        digest = (
            f'Digest realm="{self.realm}", qop="auth", algorithm=MD5, '
            f'nonce="{self._nonces.issue()}", opaque="{self._opaque}"'
            + (", stale=true" if stale else "")
        )
        basic = f'Basic realm="{self.realm}", charset="UTF-8"'
        if wanted == "digest":
            return (digest,)
        if wanted == "basic":
            return (basic,)
        return (digest, basic)

    def _failed(self, request: Credentials, scheme: str, name: str) -> errors.ThinknxHttpError:
        self.throttle.failed(request.client)
        log.info(
            "event=thinknx_auth_failed client=%s scheme=%s user=%r",
            request.client,
            scheme,
            name[:64],
        )
        return errors.authentication_failed()
