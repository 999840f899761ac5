"""Backup and restore as the API sees it: the port, its errors and its size bound.

Why in the domain: the HTTP handlers (``gateway.api.deconz.backup``) must not import the
implementation (``gateway.backup``), which reads the store's files; they call this port,
which the composition root fills with :class:`gateway.backup.BackupService`.
"""

from __future__ import annotations

from typing import Any, Protocol

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024


class BackupUnsupported(RuntimeError):
    """This gateway cannot write a backup (the store is PostgreSQL: use pg_dump)."""


class BackupInvalid(ValueError):
    """An uploaded archive that cannot be restored; the message says why."""


class BackupPort(Protocol):
    """Describe, write and stage backups (the archive format is ``gateway.backup``'s)."""

    def info(self) -> dict[str, Any]: ...

    async def create(self) -> bytes: ...

    async def stage_restore(self, data: bytes) -> dict[str, Any]: ...
