"""Talk to systemd (sd_notify protocol and the service watchdog) in pure Python.

Why our own ~200 lines instead of libsystemd or a PyPI package: the protocol is one
datagram of ``KEY=value`` lines to the ``$NOTIFY_SOCKET`` Unix socket, and owning it lets us
guarantee the two properties the gateway depends on:

* **Nothing here ever blocks or raises into the service.** The socket is non-blocking; if
  systemd is not reading (queue full) or has gone away, the message is dropped and logged.
  A status line is never worth stalling the radio or the HTTP API.
* **The watchdog proves the event loop is alive.** Pings are sent by a task *on the event
  loop*, never from a thread or timer outside it, so a loop stuck in a blocking call (or a
  loop that has stopped) stops the pings, and systemd kills and restarts the service after
  ``WatchdogSec=``. A ``healthy()`` callback lets the service withhold pings when the loop
  runs but the service is wedged (e.g. its supervisor task died), and the loop lag is
  measured on every tick so the journal says how late the loop was before systemd acted.

Outside systemd (development, tests) ``$NOTIFY_SOCKET`` is unset and every method is a
no-op, so the service calls these unconditionally.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Mapping, MutableMapping

log = logging.getLogger(__name__)

#: Environment variables systemd sets for a ``Type=notify`` service with ``WatchdogSec=``.
ENV_NOTIFY_SOCKET = "NOTIFY_SOCKET"
ENV_WATCHDOG_USEC = "WATCHDOG_USEC"
ENV_WATCHDOG_PID = "WATCHDOG_PID"


def _always_healthy() -> bool:
    return True


def _socket_address(raw: str | None) -> str | None:
    """Translate ``$NOTIFY_SOCKET`` into an address for ``sendto``.

    systemd passes either an absolute path or ``@name`` for a socket in the abstract
    namespace (leading NUL byte). Other forms (e.g. ``vsock:`` from newer systemd in VMs)
    are not used on the Pi; they disable notification with a warning instead of failing.
    """
    if not raw:
        return None
    if raw.startswith("@"):
        return "\0" + raw[1:]
    if raw.startswith("/"):
        return raw
    log.warning("systemd notify disabled: unsupported NOTIFY_SOCKET address %r", raw)
    return None


def _watchdog_usec(environ: Mapping[str, str]) -> int | None:
    """The watchdog timeout for *this* process in microseconds, as sd_watchdog_enabled does.

    ``WATCHDOG_PID`` names the process the watchdog is meant for; a child that inherited the
    environment (our own subprocesses) must not believe it is being watched.
    """
    raw = environ.get(ENV_WATCHDOG_USEC)
    if not raw:
        return None
    try:
        usec = int(raw)
    except ValueError:
        log.warning("systemd watchdog disabled: WATCHDOG_USEC=%r is not a number", raw)
        return None
    if usec <= 0:
        return None
    pid = environ.get(ENV_WATCHDOG_PID)
    if pid:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            log.warning("systemd watchdog disabled: WATCHDOG_PID=%r is not a number", pid)
            return None
    return usec


def _one_line(text: str) -> str:
    """Status values are one line each in the protocol; a newline would start a new key."""
    return " ".join(text.splitlines())


class SystemdNotifier:
    """Sends sd_notify messages to systemd; a no-op when not started by systemd."""

    def __init__(self, address: str | None, *, watchdog_usec: int | None = None) -> None:
        self._address = _socket_address(address)
        self._watchdog_usec = watchdog_usec if self._address is not None else None
        self._socket: socket.socket | None = None
        self._failing = False
        #: Lateness (seconds) of the last watchdog tick: how long the loop was unresponsive.
        self.last_lag = 0.0

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] = os.environ, *, unset: bool = False
    ) -> SystemdNotifier:
        """Build from ``$NOTIFY_SOCKET``, ``$WATCHDOG_USEC`` and ``$WATCHDOG_PID``.

        With ``unset=True`` the variables are removed from ``environ`` (when it is mutable) so
        that subprocesses we start (the virtual rig's emulators) do not talk to systemd in
        our name; systemd would ignore them under ``NotifyAccess=main`` and log a warning.
        """
        notifier = cls(environ.get(ENV_NOTIFY_SOCKET), watchdog_usec=_watchdog_usec(environ))
        if unset and isinstance(environ, MutableMapping):
            for key in (ENV_NOTIFY_SOCKET, ENV_WATCHDOG_USEC, ENV_WATCHDOG_PID):
                environ.pop(key, None)
        return notifier

    @property
    def enabled(self) -> bool:
        """True when started by systemd with a notify socket we can talk to."""
        return self._address is not None

    def watchdog_interval(self) -> float | None:
        """The ``WatchdogSec=`` timeout in seconds, or None when no watchdog watches us."""
        if self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 1_000_000

    # -- messages --------------------------------------------------------------------------

    def notify(self, *assignments: str) -> bool:
        """Send ``KEY=value`` lines in one datagram; True if it was handed to the kernel.

        Never blocks and never raises: a full queue or a vanished socket drops the message.
        The first failure is a warning, repeats are debug until a send succeeds again, so a
        gone systemd does not flood the journal every watchdog tick.
        """
        if self._address is None or not assignments:
            return False
        payload = "\n".join(assignments).encode("utf-8", "replace")
        try:
            if self._socket is None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                sock.setblocking(False)
                self._socket = sock
            self._socket.sendto(payload, self._address)
        except OSError as exc:  # BlockingIOError (queue full) included
            level = logging.DEBUG if self._failing else logging.WARNING
            log.log(level, "systemd notify failed (%s); dropped %s", exc, assignments[0])
            self._failing = True
            return False
        self._failing = False
        return True

    def ready(self, status: str | None = None) -> bool:
        """Startup finished: systemd marks the unit active and starts the watchdog."""
        if status is None:
            return self.notify("READY=1")
        return self.notify("READY=1", f"STATUS={_one_line(status)}")

    def status(self, text: str) -> bool:
        """Free-form status shown by ``systemctl status gateway``."""
        return self.notify(f"STATUS={_one_line(text)}")

    def stopping(self, status: str | None = None) -> bool:
        """Shutdown began; systemd now waits up to ``TimeoutStopSec=`` for us to exit."""
        if status is None:
            return self.notify("STOPPING=1")
        return self.notify("STOPPING=1", f"STATUS={_one_line(status)}")

    def extend_timeout(self, seconds: float) -> bool:
        """Ask for more start (or stop) time, e.g. while a slow radio forms its network."""
        return self.notify(f"EXTEND_TIMEOUT_USEC={max(1, int(seconds * 1_000_000))}")

    def watchdog_ping(self) -> bool:
        """One ``WATCHDOG=1`` keep-alive; :meth:`run_watchdog` calls this for you."""
        return self.notify("WATCHDOG=1")

    def close(self) -> None:
        """Release the socket; later messages reopen it."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    # -- watchdog --------------------------------------------------------------------------

    async def run_watchdog(
        self,
        healthy: Callable[[], bool] = _always_healthy,
        *,
        max_lag: float | None = None,
    ) -> None:
        """Ping the watchdog at half its interval from this event loop, until cancelled.

        Each tick asks ``healthy()`` (an exception counts as unhealthy) and measures how late
        the tick is; a ping is sent only if the service is healthy and, when ``max_lag`` is
        given, the loop lag stayed below it. A loop lag above a quarter of the interval is
        logged, so the journal explains a watchdog restart. Without a watchdog this waits
        until cancelled, so the task has the same lifetime either way.
        """
        interval = self.watchdog_interval()
        if interval is None:
            await asyncio.Event().wait()
            return
        period = interval / 2
        loop = asyncio.get_running_loop()
        was_healthy = True
        lag = 0.0
        while True:
            is_healthy = self._ask(healthy)
            lag_ok = max_lag is None or lag <= max_lag
            if is_healthy and lag_ok:
                self.watchdog_ping()
            elif not lag_ok:
                log.warning(
                    "watchdog ping withheld: event loop lag %.3fs above %.3fs", lag, max_lag
                )
            if is_healthy != was_healthy:
                if is_healthy:
                    log.info("watchdog pings resumed: service healthy again")
                else:
                    log.warning("watchdog pings withheld: service unhealthy")
                was_healthy = is_healthy
            started = loop.time()
            await asyncio.sleep(period)
            lag = max(0.0, loop.time() - started - period)
            self.last_lag = lag
            if lag > interval / 4:
                log.warning("event loop was blocked for %.3fs (watchdog %.1fs)", lag, interval)

    @staticmethod
    def _ask(healthy: Callable[[], bool]) -> bool:
        try:
            return bool(healthy())
        except Exception:
            log.exception("watchdog health check raised; treating the service as unhealthy")
            return False
