"""knxd (Debian's KNX daemon) as a real third-party KNXnet/IP tunnelling server for tests.

Why a private network namespace: knxd 0.14 (Debian 12) joins its multicast group with
``INADDR_ANY``, i.e. on the interface of the default route, whatever ``interface=`` says
(the ``ip_mreqn`` fix came in 0.14.68). Run on the host, it would send IGMP reports and could
route KNX multicast onto the real network. So every knxd here runs in a namespace of its own
holding only ``lo`` (with multicast enabled and a 224.0.0.0/4 route to it), created by
``unshare --net`` and entered with ``nsenter``; the test's thread enters the same namespace
with ``setns(2)`` for the duration of the test, so xknx's sockets live there too. The unix
socket in the temp dir is how ``knxtool`` observes and injects bus telegrams. Creating a
network namespace needs root (CI runs as root).

The knxd configuration (``knxd <dir>/knxd.ini``)::

    [main]
    addr = 0.0.1
    client-addrs = 0.0.2:8
    connections = server,unix
    [server]
    server = ets_router
    tunnel = tunnel
    port = <free port>
    interface = lo
    router = router          (only for the routing tests)
    [unix]
    server = knxd_unix
    path = <dir>/knxd.sock
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CLONE_NEWNET = 0x40000000
TOOLS = ("knxd", "knxtool")
NAMESPACE_TOOLS = ("unshare", "nsenter", "ip", "ss")
NAMESPACE_SETUP = (
    "ip link set lo up && ip link set lo multicast on && "
    "ip route add 224.0.0.0/4 dev lo src 127.0.0.1 && exec sleep 86400"
)


def unavailable_reason() -> str | None:
    """Why knxd cannot be run here, or None if it can."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return (
            f"knxd tests skipped: {' and '.join(missing)} not installed "
            "(Debian packages knxd and knxd-tools; `make test` installs them)"
        )
    missing = [tool for tool in NAMESPACE_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"knxd tests skipped: {', '.join(missing)} not installed (util-linux, iproute2)"
    if os.geteuid() != 0:
        return (
            "knxd tests skipped: not root, and knxd 0.14 may only run in a private network "
            "namespace (it joins multicast on the default-route interface)"
        )
    return None


def _setns(fd: int) -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


@contextlib.contextmanager
def inside(namespace: Path) -> Iterator[None]:
    """Run the calling thread (and sockets it creates) inside ``namespace``."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(namespace, os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


@dataclass
class Knxd:
    """One knxd in its own network namespace; start/stop/restart keep port and socket."""

    directory: Path
    port: int = 0
    routing: bool = False  # also route KNX over multicast (on the namespace's loopback)
    holder: subprocess.Popen[bytes] | None = None
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.directory / "knxd.log"

    @property
    def socket(self) -> Path:
        return self.directory / "knxd.sock"

    @property
    def url(self) -> str:
        """The knxtool URL of this knxd."""
        return f"local:{self.socket}"

    @property
    def namespace(self) -> Path:
        assert self.holder is not None
        return Path(f"/proc/{self.holder.pid}/ns/net")

    def create_namespace(self) -> None:
        """A network namespace with only loopback, kept alive by a sleeping holder process."""
        self.holder = subprocess.Popen(["unshare", "--net", "sh", "-c", NAMESPACE_SETUP])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            routes = subprocess.run(
                ["nsenter", f"--net={self.namespace}", "ip", "route", "show", "224.0.0.0/4"],
                capture_output=True,
                text=True,
                check=False,
            )
            if "dev lo" in routes.stdout:
                return
            time.sleep(0.02)
        raise RuntimeError("network namespace for knxd was not set up")

    def pick_port(self) -> None:
        """A free UDP port inside the namespace (call from inside it)."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    def write_config(self) -> Path:
        ini = self.directory / "knxd.ini"
        ini.write_text(
            "[main]\naddr = 0.0.1\nclient-addrs = 0.0.2:8\nconnections = server,unix\n"
            f"[server]\nserver = ets_router\ntunnel = tunnel\nport = {self.port}\ninterface = lo\n"
            + ("router = router\n" if self.routing else "")
            + f"[unix]\nserver = knxd_unix\npath = {self.socket}\n"
        )
        return ini

    def command(self) -> list[str]:
        """The exact command line that starts this knxd."""
        return ["nsenter", f"--net={self.namespace}", "knxd", str(self.directory / "knxd.ini")]

    def start(self) -> None:
        """Start knxd and wait until both its unix socket and its UDP port are open."""
        self.write_config()
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        log = self.log.open("ab")
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"knxd exited: {self.log.read_text()}")
            if self.socket.exists() and self._udp_bound():
                return
            time.sleep(0.02)
        raise RuntimeError(f"knxd did not come up: {self.log.read_text()}")

    def _udp_bound(self) -> bool:
        listing = subprocess.run(
            ["nsenter", f"--net={self.namespace}", "ss", "-uln", f"sport = :{self.port}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return f":{self.port}" in listing.stdout

    def stop(self) -> None:
        """Stop knxd (SIGTERM, then SIGKILL) and wait for it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def destroy(self) -> None:
        """Stop knxd and end the namespace."""
        self.stop()
        if self.holder is not None:
            self.holder.kill()
            self.holder.wait()
            self.holder = None

    async def tool(self, *args: str) -> str:
        """Run ``knxtool <args[0]> <url> <args[1:]>`` and return its output."""
        process = await asyncio.create_subprocess_exec(
            "knxtool", args[0], self.url, *args[1:],
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), 5)
        if process.returncode != 0:
            raise RuntimeError(f"knxtool {' '.join(args)} failed: {output.decode()}")
        return output.decode()


# --- observing the bus ------------------------------------------------------------------------

_BUSMON = re.compile(r"^L_Busmon: ((?:[0-9A-F]{2} )+):")


@dataclass(frozen=True)
class BusFrame:
    """One TP1 standard frame as ``knxtool vbusmonitor1`` printed it, decoded by hand."""

    raw: bytes

    @property
    def source(self) -> str:
        value = int.from_bytes(self.raw[1:3], "big")
        return f"{value >> 12}.{value >> 8 & 0xF}.{value & 0xFF}"

    @property
    def destination(self) -> str:
        value = int.from_bytes(self.raw[3:5], "big")
        return f"{value >> 11}/{value >> 8 & 0x7}/{value & 0xFF}"

    @property
    def apdu(self) -> bytes:
        """TPCI/APCI octets and data, without the checksum (length from the NPCI octet)."""
        length = self.raw[5] & 0x0F
        return self.raw[6 : 7 + length]


class BusMonitor:
    """``knxtool vbusmonitor1``: every frame knxd carries, as bytes."""

    def __init__(self, knxd: Knxd) -> None:
        self._knxd = knxd
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.frames: list[BusFrame] = []
        self._changed = asyncio.Event()

    async def __aenter__(self) -> BusMonitor:
        self._process = await asyncio.create_subprocess_exec(
            "knxtool", "vbusmonitor1", self._knxd.url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        await asyncio.sleep(0.2)  # knxtool registers with knxd before frames are wanted
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await self._process.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        async for line in self._process.stdout:
            match = _BUSMON.match(line.decode(errors="replace"))
            if match:
                self.frames.append(BusFrame(bytes.fromhex(match.group(1))))
                self._changed.set()

    async def wait_for(self, predicate: Callable[[BusFrame], bool], within: float) -> BusFrame:
        """First frame matching ``predicate`` (already seen or still to come)."""
        async with asyncio.timeout(within):
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                self._changed.clear()
                await self._changed.wait()


@contextlib.contextmanager
def running_knxd(directory: Path, *, routing: bool = False) -> Iterator[Knxd]:
    """knxd in its own network namespace, started; the calling thread (the test) is inside
    that namespace too until the block ends, and the namespace is gone afterwards. Skips,
    saying why, where knxd cannot run (:func:`unavailable_reason`)."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    directory.mkdir(parents=True, exist_ok=True)
    daemon = Knxd(directory, routing=routing)
    daemon.create_namespace()
    try:
        with inside(daemon.namespace):
            daemon.pick_port()
            daemon.start()
            yield daemon
    finally:
        daemon.destroy()
