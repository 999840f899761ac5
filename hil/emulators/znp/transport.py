"""The serial line: a pseudo-terminal the host opens like a USB stick.

No protocol logic lives here. The port moves bytes, tells whether a host has the slave
side open, and implements the physical faults (unplug closes the master so the host's
reads fail and the device node disappears; replug makes a new pty behind the same
stable symlink).

Why the host-presence polling: a pty master reads ``EIO`` while nobody has the slave
open, and bytes written then would wait in the slave's queue and be read as stale data
by the next host. A real UART drops what nobody listens to, so we do the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import termios
import tty
from collections.abc import Callable
from pathlib import Path

LOGGER = logging.getLogger(__name__)

#: How often we look for a host while none has the port open.
HOST_POLL_INTERVAL = 0.02
_READ_SIZE = 4096


class PtyPort:
    """One plug-in of the virtual stick. ``open()`` plugs it in, ``close()`` unplugs it."""

    def __init__(
        self,
        on_data: Callable[[bytes], None],
        *,
        link: Path | None = None,
        on_host_change: Callable[[bool], None] | None = None,
    ) -> None:
        self._on_data = on_data
        self._on_host_change = on_host_change
        self.link = link
        self._master: int | None = None
        self._slave_path: str | None = None
        self._host = False
        self._poll: asyncio.TimerHandle | None = None
        self._out = bytearray()
        self._writing = False
        self.bytes_dropped = 0

    # -- life cycle -------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._master is not None

    @property
    def slave_path(self) -> str | None:
        return self._slave_path

    @property
    def host_connected(self) -> bool:
        return self._host

    def open(self) -> str:
        """Creates the pty (and the symlink) and returns the path the host opens."""
        if self._master is not None:
            raise RuntimeError("port is already open")
        master, slave = os.openpty()
        # Raw mode before any host appears: a cooked pty would echo our frames back.
        tty.setraw(slave)
        self._slave_path = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        self._host = False
        if self.link is not None:
            _replace_symlink(self.link, self._slave_path)
        self._schedule_poll(0)
        LOGGER.info("serial port plugged in at %s (link %s)", self._slave_path, self.link)
        return self._slave_path

    def close(self) -> None:
        """Unplugs: the host sees its port fail and the device node vanish."""
        master, self._master = self._master, None
        if master is None:
            return
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None
        loop = asyncio.get_running_loop()
        loop.remove_reader(master)
        if self._writing:
            loop.remove_writer(master)
            self._writing = False
        self._out.clear()
        os.close(master)
        if self.link is not None and _points_to(self.link, self._slave_path):
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        LOGGER.info("serial port %s unplugged", self._slave_path)
        self._set_host(False)

    # -- bytes out ----------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Sends bytes to the host; dropped when no host has the port open."""
        if self._master is None:
            self.bytes_dropped += len(data)
            return
        if not self._host:
            self._probe_host()
        if not self._host:
            self.bytes_dropped += len(data)
            return
        if self._out:
            self._out += data
            return
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError as exc:
            LOGGER.debug("write failed: %s", exc)
            self.bytes_dropped += len(data)
            return
        if written < len(data):
            self._out += data[written:]
            self._start_writer()

    def _start_writer(self) -> None:
        if not self._writing and self._master is not None:
            asyncio.get_running_loop().add_writer(self._master, self._flush)
            self._writing = True

    def _flush(self) -> None:
        assert self._master is not None
        try:
            written = os.write(self._master, self._out)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._out)
        del self._out[:written]
        if not self._out:
            asyncio.get_running_loop().remove_writer(self._master)
            self._writing = False

    # -- bytes in / host presence --------------------------------------------------------
    def _schedule_poll(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._poll = loop.call_later(delay, self._probe_host)

    def _probe_host(self) -> None:
        self._poll = None
        if self._master is None:
            return
        try:
            data = os.read(self._master, _READ_SIZE)
        except BlockingIOError:
            self._host_appeared()
            return
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            self._schedule_poll(HOST_POLL_INTERVAL)
            return
        self._host_appeared()
        if data:
            self._on_data(data)

    def _host_appeared(self) -> None:
        if self._host or self._master is None:
            return
        asyncio.get_running_loop().add_reader(self._master, self._read_ready)
        self._set_host(True)

    def _read_ready(self) -> None:
        assert self._master is not None
        try:
            data = os.read(self._master, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            self._host_left()
            return
        if data:
            self._on_data(data)
        else:
            self._host_left()

    def _host_left(self) -> None:
        assert self._master is not None
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._master)
        if self._writing:
            loop.remove_writer(self._master)
            self._writing = False
        self._out.clear()
        self._drain_slave()
        self._set_host(False)
        self._schedule_poll(HOST_POLL_INTERVAL)

    def _drain_slave(self) -> None:
        """Throws away what the departed host did not read, as a UART would."""
        if self._slave_path is None:
            return
        try:
            fd = os.open(self._slave_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return
        try:
            termios.tcflush(fd, termios.TCIFLUSH)
        finally:
            os.close(fd)

    def _set_host(self, connected: bool) -> None:
        if connected == self._host:
            return
        self._host = connected
        LOGGER.debug("host %s %s", "opened" if connected else "closed", self._slave_path)
        if self._on_host_change is not None:
            self._on_host_change(connected)


def _replace_symlink(link: Path, target: str) -> None:
    """Points ``link`` at ``target`` atomically, like udev does for /dev/serial/by-id."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _points_to(link: Path, target: str | None) -> bool:
    try:
        return target is not None and os.readlink(link) == target
    except OSError:
        return False
