"""Secrets: generation, hashing at rest and constant-time comparison.

Why two hash schemes: API keys are bearer tokens checked on every request, so they are
stored as a SHA-256 digest (a fast lookup key; the raw key never touches the disk) and
compared with :func:`hmac.compare_digest`. Admin passwords are low-entropy and checked
rarely, so they get a salted, memory-hard scrypt hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1


def new_api_key() -> str:
    """A random API key of 32 upper-case hex characters.

    deCONZ hands out 10 hex characters (5 random bytes); we use 16 random bytes because a
    key is the only credential a client presents and 40 bits can be guessed on a LAN.
    Clients treat the key as an opaque string, so the longer form is compatible.
    """
    return secrets.token_hex(16).upper()


PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - no 0/o, 1/l/i


def generate_password(groups: int = 4, size: int = 5) -> str:
    """A password a person can type: ``k7m2p-x9q4r-...`` (about 98 bits for 4 groups of 5)."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups)
    )


def api_key_digest(key: str) -> str:
    """Hex SHA-256 of an API key: what the store keeps instead of the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


def hash_password(secret: str) -> str:
    """Salted scrypt hash in a self-describing string: ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P
    )
    return "$".join(
        ["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), salt.hex(), digest.hex()]
    )


def verify_password(secret: str, stored: str) -> bool:
    """True if ``secret`` matches a hash made by :func:`hash_password`; constant time."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            secret.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, bytes.fromhex(digest_hex))


def decode_basic_credentials(token: str) -> tuple[str, str] | None:
    """Split a base64 ``user:password`` token (HTTP Basic, deCONZ ``oldhash``/``newhash``)."""
    try:
        raw = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = raw.partition(":")
    if not sep:
        return None
    return user, password
