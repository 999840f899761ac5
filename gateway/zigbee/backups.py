"""Network backups as files in the state directory (Open Coordinator Backup JSON).

Why files besides zigpy's own database: zigpy keeps its backups inside ``zigbee.db``;
if that file is lost (or a new stick replaces a dead one) the network — PAN, channel,
network key, frame counters — can still be restored from this file, by zigpy on the next
start or by any tool that reads the open format. It holds the network key, so it is
written with mode 0600.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

import zigpy.application
import zigpy.backups

log = logging.getLogger(__name__)

BACKUP_FILE = "network-backup.json"


def backup_path(directory: Path) -> Path:
    return directory / BACKUP_FILE


async def write_latest(app: zigpy.application.ControllerApplication, directory: Path) -> None:
    """Write zigpy's most recent backup to the directory (atomically)."""
    backup = app.backups.most_recent_backup()
    if backup is None:
        return
    data = backup.as_open_coordinator_json()
    await asyncio.to_thread(_write_json, backup_path(directory), data)


async def write_latest_or_log(
    app: zigpy.application.ControllerApplication, directory: Path
) -> None:
    """``write_latest``, logging a failure: a backup that cannot be written (a full disk)
    must not take the radio down with it."""
    try:
        await write_latest(app, directory)
    except Exception:
        log.exception("could not write the network backup file")


async def restore_into(app: zigpy.application.ControllerApplication, directory: Path) -> None:
    """Give zigpy the file's backup when its database has none, before it starts.

    zigpy then restores the network from it if the stick turns out to be empty.
    """
    if app.backups.most_recent_backup() is not None:
        return
    path = backup_path(directory)
    data = await asyncio.to_thread(_read_json, path)
    if data is None:
        return
    try:
        backup = zigpy.backups.NetworkBackup.from_open_coordinator_json(data)
    except Exception as exc:
        log.warning("ignoring unreadable network backup %s: %s", path, exc)
        return
    app.backups.add_backup(backup)
    log.info("loaded the network backup from %s", path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        with path.open() as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("cannot read network backup %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None
