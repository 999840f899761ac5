"""The catalogue in service: loaded from ``thinknx.devices_file`` at start, kept in the store,
reloaded when the file changes.

Why reload on file change (and not a signal or an endpoint): SIGHUP belongs to the whole
gateway, and an admin endpoint would be one more secret to manage on port 5051. An
integrator edits the file; within ``poll_interval`` seconds the gateway has checked it and
either serves the new catalogue (logged: ``event=thinknx_catalogue_reloaded``) or keeps
serving the previous one and logs every problem (``event=thinknx_catalogue_rejected``, once
per content). A half-saved file is simply rejected until the save completes. At start, a bad
file stops the gateway with the same message: nothing has been served yet, and serving
without the devices the integrator asked for would be a silent failure.

``config_time`` (``serverStatus``) is when the content in service was first loaded: the
store keeps it, so a restart with an unchanged file (same SHA-256) does not move it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gateway.store.knx_repo import (
    KnxRepository,
    StoredKnxCatalogue,
    StoredKnxController,
    StoredKnxDevice,
)

from .catalogue import (
    Catalogue,
    CatalogueError,
    DeviceConfig,
    Problem,
    catalogue_of,
    controller_from_fields,
)
from .catalogue_file import load_file

log = logging.getLogger(__name__)

POLL_INTERVAL = 2.0
NO_FILE = "(no devices file)"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_stored(catalogue: Catalogue) -> StoredKnxCatalogue:
    """The store's plain form of a catalogue."""
    assert catalogue.loaded_at is not None
    return StoredKnxCatalogue(
        source=catalogue.source,
        sha256=catalogue.sha256,
        loaded_at=catalogue.loaded_at,
        devices=[
            StoredKnxDevice(
                guid=d.guid,
                name=d.name,
                type=d.type,
                controllers=[
                    StoredKnxController(
                        c.controller, c.command, c.status, c.dpt, c.comm_obj,
                        c.status_comm_obj, c.options(),
                    )
                    for c in d.controllers.values()
                ],
            )
            for d in catalogue.devices.values()
        ],
    )  # fmt: skip


def from_stored(stored: StoredKnxCatalogue) -> Catalogue:
    """A catalogue from the store's plain form."""
    devices = [
        DeviceConfig(
            guid=d.guid,
            name=d.name,
            type=d.type,
            controllers={
                c.controller: controller_from_fields(
                    c.controller, c.command_ga, c.status_ga, c.dpt, c.comm_obj,
                    c.status_comm_obj, c.options,
                )
                for c in d.controllers
            },
        )
        for d in stored.devices
    ]  # fmt: skip
    return catalogue_of(
        devices, source=stored.source, sha256=stored.sha256, loaded_at=stored.loaded_at
    )


class CatalogueService:
    """Owns the catalogue in service; tells ``on_change`` about every new one."""

    def __init__(
        self,
        repo: KnxRepository,
        path: Path | None,
        *,
        on_change: Callable[[Catalogue], None] | None = None,
        poll_interval: float = POLL_INTERVAL,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self._repo = repo
        self.path = path
        self._on_change = on_change
        self._listeners: list[Callable[[Catalogue], None]] = []
        self._poll_interval = poll_interval
        self._now = now
        self._current = Catalogue(source=str(path) if path else NO_FILE)
        self._file_state: tuple[int, int, int] | None = None
        self._rejected: str | None = None

    @property
    def current(self) -> Catalogue:
        return self._current

    def set_listener(self, on_change: Callable[[Catalogue], None]) -> None:
        self._on_change = on_change

    def add_listener(self, on_change: Callable[[Catalogue], None]) -> None:
        """Another party told of every new catalogue (the bindings read the same file)."""
        self._listeners.append(on_change)

    async def load(self) -> Catalogue:
        """Load the file (or nothing) and put it in service; :class:`CatalogueError` if bad."""
        if self.path is None:
            devices: list[DeviceConfig] = []
            sha = hashlib.sha256(b"").hexdigest()
        else:
            self._file_state = await asyncio.to_thread(_file_state, self.path)
            devices, sha = await asyncio.to_thread(load_file, self.path)
        await self._install(devices, sha)
        return self._current

    async def reload_if_changed(self) -> bool:
        """Check the file once; True when a new catalogue went into service.

        Raises :class:`CatalogueError` for a changed file that cannot be used (the catalogue
        in service stays).
        """
        if self.path is None:
            return False
        state = await asyncio.to_thread(_file_state, self.path)
        if state == self._file_state:
            return False
        self._file_state = state
        data = await asyncio.to_thread(_read_or_none, self.path)
        if data is None:
            gone = Problem(None, None, None, "file is gone; keeping the catalogue in service")
            raise CatalogueError(str(self.path), [gone])
        sha = hashlib.sha256(data).hexdigest()
        if sha == self._current.sha256:
            return False
        devices, sha = await asyncio.to_thread(load_file, self.path)
        await self._install(devices, sha)
        return True

    async def watch(self) -> None:
        """Poll the file until cancelled; log what happens, never raise."""
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                changed = await self.reload_if_changed()
                self._rejected = None  # a later bad file is reported again
                if changed:
                    log.info(
                        "event=thinknx_catalogue_reloaded file=%s devices=%d",
                        self.path,
                        len(self._current.devices),
                    )
            except CatalogueError as exc:
                key = str(exc)
                if key != self._rejected:
                    self._rejected = key
                    log.error(
                        "event=thinknx_catalogue_rejected keeping=%d devices: %s",
                        len(self._current.devices),
                        exc,
                    )
            except Exception:
                log.exception("event=thinknx_catalogue_watch_error file=%s", self.path)

    async def _install(self, devices: list[DeviceConfig], sha: str) -> None:
        stored = await self._repo.load_catalogue()
        loaded_at = stored.loaded_at if stored is not None and stored.sha256 == sha else self._now()
        source = str(self.path) if self.path else NO_FILE
        catalogue = catalogue_of(devices, source=source, sha256=sha, loaded_at=loaded_at)
        await self._repo.save_catalogue(to_stored(catalogue))
        self._current = catalogue
        if self._on_change is not None:
            self._on_change(catalogue)
        for listener in self._listeners:
            listener(catalogue)


def _file_state(path: Path) -> tuple[int, int, int] | None:
    """(mtime_ns, size, inode), None when the file is gone: cheap change detection."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _read_or_none(path: Path) -> bytes | None:
    with contextlib.suppress(OSError):
        return path.read_bytes()
    return None
