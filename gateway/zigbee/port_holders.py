"""Who holds a serial port that will not open: named in the warning, not left to guess.

Why: "The serial port is locked by another application" is the commonest first-run
failure with a USB stick on a Pi: ModemManager probing every new ttyACM, a second Zigbee
program (deCONZ, zigbee2mqtt), a forgotten ``screen`` session. The person needs a name
and a pid to act on. When the holder is the gateway itself (a port an earlier connection
left open), that is our bug, and the log must say so plainly instead of blaming "another
application". Processes of other users are invisible without root; the gateway then
names those it can see and says nothing it cannot know.
"""

from __future__ import annotations

import asyncio
import errno
import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class PortHolder:
    """A process with the port open, and one descriptor it has on it."""

    pid: int
    name: str
    fd: int

    def describe(self) -> str:
        if self.pid == os.getpid():
            return f"this gateway itself (pid {self.pid}, fd {self.fd})"
        return f"{self.name} (pid {self.pid})"


def port_locked(exc: BaseException) -> bool:
    """Whether opening a port failed because something else has it locked (EBUSY)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.EBUSY:
            return True
        if isinstance(seen, PermissionError) and "locked" in str(seen):
            return True  # zigpy's rewording of serialx's EBUSY
        seen = seen.__cause__ or seen.__context__
    return False


def port_holders(path: str, proc: Path = PROC) -> list[PortHolder]:
    """The processes (one entry each) with the device at ``path`` open, as far as we can see.

    A descriptor counts when it is the same device node (device and inode) and not one
    already removed: a pty number is reused, and an old hung-up pty of the same number
    looks alike but for the "(deleted)" its link shows.
    """
    try:
        wanted = os.stat(path)
    except OSError:
        return []
    holders: list[PortHolder] = []
    for process in proc.iterdir():
        if not process.name.isdigit():
            continue
        holder = _holder(process, (wanted.st_dev, wanted.st_ino))
        if holder is not None:
            holders.append(holder)
    return sorted(holders, key=lambda h: h.pid)


def _holder(process: Path, wanted: tuple[int, int]) -> PortHolder | None:
    try:
        descriptors = list((process / "fd").iterdir())
    except OSError:
        return None  # gone, or another user's
    for descriptor in descriptors:
        try:
            opened = os.stat(descriptor)
            if (opened.st_dev, opened.st_ino) != wanted:
                continue
            if os.readlink(descriptor).endswith(" (deleted)"):
                continue
        except OSError:
            continue
        try:
            name = (process / "comm").read_text().strip()
        except OSError:
            name = "?"
        return PortHolder(int(process.name), name, int(descriptor.name))
    return None


async def who_holds(exc: BaseException, path: str) -> str:
    """``"; held by ..."`` for a port that would not open because it is locked, else ``""``."""
    if not port_locked(exc):
        return ""
    holders = await asyncio.to_thread(port_holders, path)
    if not holders:
        return "; no process we can see has it open"
    return "; held by " + ", ".join(holder.describe() for holder in holders)
