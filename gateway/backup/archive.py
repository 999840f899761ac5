"""One archive for the whole gateway, and a restore that happens at the next start.

Why restore at the next start instead of at once: the database is open and the radio
runs; swapping files under them would lose or mix state. An upload is checked completely
(archive shape, sizes, SQLite integrity, the network file being JSON) and only then staged
in ``<state_dir>/restore-pending/``; the composition root calls
:func:`apply_pending_restore` before it opens the store, so the next start runs on the
restored files. A bad upload changes nothing.

The archive (``.tar.gz``)::

    manifest.json          {"format": 1, "created": "...", "version": "...", "files": [...]}
    gateway.db             consistent SQLite snapshot (online backup API)
    network-backup.json    Open Coordinator Backup of the Zigbee network (if one exists)

It holds the Zigbee network key: the API serves it only to a client with an API key.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.domain.backup import MAX_ARCHIVE_BYTES, BackupInvalid, BackupUnsupported
from gateway.store.db import check_integrity
from gateway.store.snapshot import snapshot_sqlite, sqlite_file

log = logging.getLogger(__name__)

FORMAT = 1
DATABASE = "gateway.db"
NETWORK = "network-backup.json"
MANIFEST = "manifest.json"
PENDING_DIR = "restore-pending"
MAX_MEMBER_BYTES = 256 * 1024 * 1024


class BackupService:
    """Creates archives and stages uploaded ones; the files themselves are untouched."""

    def __init__(
        self, state_dir: Path, database_url: str, network_file: Path, version: str
    ) -> None:
        self.state_dir = state_dir
        self.database_url = database_url
        self.network_file = network_file
        self.version = version

    @property
    def pending_dir(self) -> Path:
        return self.state_dir / PENDING_DIR

    def info(self) -> dict[str, Any]:
        """What a backup would hold and whether a restore waits for the next start."""
        return {
            "database": "sqlite" if sqlite_file(self.database_url) else "postgresql",
            "available": sqlite_file(self.database_url) is not None,
            "network": self.network_file.exists(),
            "pending": (self.pending_dir / MANIFEST).exists(),
        }

    async def create(self) -> bytes:
        """The archive as bytes (a Pi's database is a few MiB at most)."""
        if sqlite_file(self.database_url) is None:
            raise BackupUnsupported("the store is PostgreSQL: back it up with pg_dump")
        return await asyncio.to_thread(self._create)

    def _create(self) -> bytes:
        with tempfile.TemporaryDirectory(prefix="gateway-backup-") as tmp:
            db_copy = Path(tmp) / DATABASE
            snapshot_sqlite(self.database_url, db_copy)
            files = [DATABASE]
            network = None
            if self.network_file.exists():
                network = self.network_file.read_bytes()
                files.append(NETWORK)
            manifest = {
                "format": FORMAT,
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "version": self.version,
                "files": files,
            }
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
                _add(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(db_copy, arcname=DATABASE)
                if network is not None:
                    _add(archive, NETWORK, network)
            return buffer.getvalue()

    async def stage_restore(self, data: bytes) -> dict[str, Any]:
        """Check ``data`` completely, then stage it; :class:`BackupInvalid` changes nothing."""
        if len(data) > MAX_ARCHIVE_BYTES:
            raise BackupInvalid(f"the file is larger than {MAX_ARCHIVE_BYTES // 2**20} MiB")
        return await asyncio.to_thread(self._stage, data)

    def _stage(self, data: bytes) -> dict[str, Any]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=self.state_dir))
        try:
            manifest = _extract_checked(data, staging)
            if self.pending_dir.exists():
                shutil.rmtree(self.pending_dir)
            os.replace(staging, self.pending_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log.info("event=restore_staged files=%s created=%s", manifest["files"], manifest["created"])
        return manifest


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def _extract_checked(data: bytes, into: Path) -> dict[str, Any]:
    """Extract only the known regular files, then check each; returns the manifest."""
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError):
        raise BackupInvalid("not a gateway backup (expected a .tar.gz file)") from None
    with archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, OSError, EOFError):
            raise BackupInvalid("the backup file is damaged") from None
        for member in members:
            if member.name not in (MANIFEST, DATABASE, NETWORK) or not member.isfile():
                raise BackupInvalid(f"unexpected entry in the backup: {member.name!r}")
            if member.size > MAX_MEMBER_BYTES:
                raise BackupInvalid(f"{member.name} is too large")
            source = archive.extractfile(member)
            assert source is not None
            with source, (into / member.name).open("wb") as target:
                shutil.copyfileobj(source, target)
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupInvalid("the backup has no readable manifest.json") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupInvalid("the backup was written by an unknown version of the gateway")
    if not (into / DATABASE).exists():
        raise BackupInvalid("the backup holds no database")
    problem = check_integrity(f"sqlite:///{into / DATABASE}")
    if problem is not None:
        raise BackupInvalid(f"the database in the backup is damaged: {problem}")
    if (into / NETWORK).exists():
        try:
            network = json.loads((into / NETWORK).read_text())
        except (OSError, ValueError):
            network = None
        if not isinstance(network, dict):
            raise BackupInvalid("the network backup in the file is not readable")
    manifest["files"] = sorted(p.name for p in into.iterdir() if p.name != MANIFEST)
    return manifest


def apply_pending_restore(state_dir: Path, database_url: str, network_file: Path) -> bool:
    """Before the store opens: move a staged restore into place. True if one was applied.

    The old files are kept next to the new ones with a ``.before-restore`` suffix, so an
    operator can go back by hand.
    """
    pending = state_dir / PENDING_DIR
    if not (pending / MANIFEST).exists():
        return False
    database = sqlite_file(database_url)
    if database is None:
        log.error("event=restore_skipped reason=the store is not SQLite")
        return False
    for suffix in ("-wal", "-shm"):
        side = database.with_name(database.name + suffix)
        if side.exists():
            side.unlink()
    if database.exists():
        os.replace(database, database.with_name(database.name + ".before-restore"))
    os.replace(pending / DATABASE, database)
    if (pending / NETWORK).exists():
        network_file.parent.mkdir(parents=True, exist_ok=True)
        if network_file.exists():
            os.replace(network_file, network_file.with_name(network_file.name + ".before-restore"))
        os.replace(pending / NETWORK, network_file)
        os.chmod(network_file, 0o600)
    shutil.rmtree(pending)
    log.warning("event=restore_applied database=%s", database)
    return True
