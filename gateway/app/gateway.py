"""The running gateway: builds every part from the settings, starts and stops them in order.

Start order follows dependencies and the promise to systemd: the listening sockets first
(a busy port is a start-up error before anything else happens, and early clients wait in
the backlog instead of being refused) and the virtual rig's child, if any, in the
background; then the store (integrity check, migrations), the domain services, the two
field buses side by side (they connect in the background and may take long or fail: the
gateway serves HTTP meanwhile and reports the fault), then the HTTP servers start serving;
only then do we send READY=1. Stop runs in reverse after STOPPING=1, so no request is
accepted by a half-stopped service.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn

from gateway import __version__
from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.backup import BACKUP_ROUTES
from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.knx_status import KNX_ROUTES
from gateway.api.deconz.routes import ROUTES
from gateway.api.serving import server_config
from gateway.app.admin_password import PASSWORD_FILE, PasswordFile
from gateway.app.bindings_side import start_bindings
from gateway.app.contribution import Contribution, StartupError
from gateway.app.hostinfo import HostInfo
from gateway.app.knx_side import start_knx
from gateway.app.systemd import SystemdNotifier
from gateway.app.virtual import SharedRig, shared_rig_for
from gateway.app.web_side import apply_staged_restore, backup_service, page_routes, start_discovery
from gateway.app.zigbee_side import start_zigbee
from gateway.discovery import Discovery
from gateway.domain.apikeys import ApiKeyService
from gateway.domain.config import GatewayConfigService
from gateway.domain.events import EventBus
from gateway.domain.radio import ZigbeeNetwork
from gateway.settings import Settings
from gateway.store import Store

log = logging.getLogger(__name__)

STATUS_POLL_S = 1.0


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the gateway (several run at once)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Gateway:
    """The whole service; ``run()`` is what ``gateway run`` calls."""

    def __init__(self, settings: Settings, *, notifier: SystemdNotifier | None = None) -> None:
        self.settings = settings
        self.notifier = notifier or SystemdNotifier.from_environment()
        self.events = EventBus()
        self.host_info = HostInfo()
        self.store: Store | None = None
        self.config: GatewayConfigService | None = None
        self.api_keys: ApiKeyService | None = None
        self.zigbee: ZigbeeNetwork | None = None
        self.deconz: DeconzServices | None = None
        self.discovery: Discovery | None = None
        self._servers: list[tuple[str, EmbeddedServer, asyncio.Task[None]]] = []
        self._background: list[asyncio.Task[Any]] = []
        self._contributions: list[Contribution] = []
        self._stop = asyncio.Event()
        self.virtual_rig: SharedRig | None = None
        self._bound: dict[tuple[str, int], socket.socket] = {}

    # -- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        s = self.settings
        self._bind_configured_ports()
        self.virtual_rig = shared_rig_for(s)
        if self.virtual_rig is not None:
            self.virtual_rig.begin()  # its start-up overlaps ours
        self.notifier.status("opening the store")
        await apply_staged_restore(s)
        self.store = await Store.open(s.database_url)
        await self.host_info.refresh()
        self._spawn(self.host_info.run(), "host-info")
        self.config = GatewayConfigService(
            self.store,
            default_name=s.gateway.name,
            system_info=self.host_info.current,
            announce_password=PasswordFile(s.gateway.state_dir),
        )
        await self.config.load()
        self.api_keys = ApiKeyService(self.store)
        await self.api_keys.load()

        self.notifier.status("starting the field buses")
        started = await asyncio.gather(start_zigbee(self), start_knx(self), return_exceptions=True)
        self._contributions.extend(c for c in started if isinstance(c, Contribution))
        for failure in started:
            if isinstance(failure, BaseException):
                raise failure
        zigbee = self._contributions[0]
        self.zigbee = zigbee.network
        self.config.network = zigbee.network
        knx = self._contributions[1]
        self._contributions.append(
            await start_bindings(self.store, self.events, knx.knx_link, zigbee, knx.catalogues)
        )

        self.deconz = DeconzServices(
            config=self.config,
            api_keys=self.api_keys,
            events=self.events,
            websocket_port=s.http.websocket_port,
            allow_local_apikey=s.http.allow_local_apikey,
            version=__version__,
            backup=backup_service(s),
        )
        for part in self._contributions:
            if part.attach_deconz is not None:
                part.attach_deconz(self.deconz)
        self.notifier.status("starting the HTTP servers")
        routes = [
            *ROUTES,
            *BACKUP_ROUTES,
            *KNX_ROUTES,
            *(r for part in self._contributions for r in part.deconz_routes),
        ]
        app = build_deconz_app(
            self.deconz,
            routes=routes,
            extra_routes=page_routes(self.config),
            openapi_extra=self._openapi_extra,
        )
        await self._serve("deconz", app, s.http.host, s.http.port, "http.port")
        for part in self._contributions:
            for name, extra_app, host, port, setting in part.servers:
                await self._serve(name, extra_app, host, port, setting)
        ready_status = self.status_line()
        self.notifier.ready(ready_status)
        self._spawn(self.notifier.run_watchdog(self.healthy), "watchdog")
        self._spawn(self._follow_status(ready_status), "systemd-status")
        self.discovery = await start_discovery(s, self.config)
        log.info("gateway %s ready: %s", __version__, self.status_line())
        self._greet()

    def _greet(self) -> None:
        """On a terminal (``make run``), say where the page is and how to sign in."""
        if not sys.stderr.isatty():
            return
        http = self.settings.http
        host = http.host if not ipaddress.ip_address(http.host).is_unspecified else "localhost"
        password_file = self.settings.gateway.state_dir / PASSWORD_FILE
        sign_in = (
            f"the password in {password_file}"
            if password_file.exists()
            else "the admin password you chose"
        )
        print(
            f"\n  Open http://{host}:{http.port}/ and sign in as delight with {sign_in}.\n",
            file=sys.stderr,
            flush=True,
        )

    def _openapi_extra(self) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        for part in self._contributions:
            if part.openapi_paths is not None:
                paths.update(part.openapi_paths())
        return paths

    async def stop(self) -> None:
        # Mark the stop as wanted first: servers ending now are not "unexpected".
        self._stop.set()
        self.notifier.stopping()
        if self.discovery is not None:
            await self.discovery.stop()
            self.discovery = None
        for name, server, task in reversed(self._servers):
            server.should_exit = True
            try:
                await asyncio.wait_for(task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("HTTP server %s did not stop in time", name)
        self._servers.clear()
        for part in reversed(self._contributions):
            if part.stop is not None:
                try:
                    await part.stop()
                except Exception:
                    log.exception("error while stopping a field bus")
        self._contributions.clear()
        if self.virtual_rig is not None:
            await self.virtual_rig.stop()
        for sock in self._bound.values():
            sock.close()
        self._bound.clear()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        if self.api_keys is not None:
            await self.api_keys.drain()
        if self.store is not None:
            await self.store.close()
        log.info("gateway stopped")

    async def run(self) -> None:
        """Start, wait for SIGTERM/SIGINT (or a fatal server error), stop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        try:
            await self.start()
            await self._stop.wait()
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            await self.stop()

    def request_stop(self) -> None:
        self._stop.set()

    # -- health -------------------------------------------------------------------------

    def healthy(self) -> bool:
        """What the watchdog asks: every HTTP server still serving, every side healthy."""
        servers_up = all(not task.done() for _, _, task in self._servers)
        return servers_up and all(part.healthy() for part in self._contributions)

    async def _follow_status(self, sent: str) -> None:
        """Keep systemd's STATUS= in step with the field buses (``systemctl status``).

        The radio and the KNX link connect in the background after READY, and may be lost
        and come back later; polling the status line once a second and sending it only when
        it changed keeps the journal quiet and the status true.
        """
        last = sent
        while True:
            await asyncio.sleep(STATUS_POLL_S)
            line = self.status_line()
            if line != last:
                self.notifier.status(line)
                last = line

    def status_line(self) -> str:
        parts = [f"http :{self.settings.http.port}"]
        parts.extend(text for part in self._contributions if (text := part.status()))
        return ", ".join(parts)

    # -- helpers ------------------------------------------------------------------------

    async def _serve(self, name: str, app: Any, host: str, port: int, setting: str) -> None:
        """Serve on the socket bound at the start (or bind now), then wait until serving."""
        sock = self._bound.pop((host, port), None) or listening_socket(host, port, setting)
        # Limits for idle, slow and too many clients: gateway/api/serving.py.
        config = server_config(app, log_config=None, access_log=False, lifespan="off")
        server = EmbeddedServer(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"http-{name}")
        while not server.started:
            if task.done():
                task.result()  # raises the bind error
                raise RuntimeError(f"HTTP server {name} stopped during start-up")
            await asyncio.sleep(0.01)
        task.add_done_callback(self._on_server_done(name))
        self._servers.append((name, server, task))
        log.info("%s API listening on %s:%d", name, host, port)

    def _bind_configured_ports(self) -> None:
        """Bind every port the settings name, before anything else starts."""
        s = self.settings
        ports = [(s.http.host, s.http.port, "http.port")]
        if s.radio.kind != "none":
            ports.append((s.http.host, s.http.websocket_port, "http.websocket_port"))
        if s.thinknx.enabled:
            ports.append((s.thinknx.host, s.thinknx.port, "thinknx.port"))
        for host, port, setting in ports:
            if (host, port) not in self._bound:
                self._bound[(host, port)] = listening_socket(host, port, setting)

    def _on_server_done(self, name: str) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            if not self._stop.is_set():
                log.error("HTTP server %s stopped unexpectedly; shutting down", name)
                self._stop.set()

        return done

    def _spawn(self, coro: Any, name: str) -> None:
        self._background.append(asyncio.create_task(coro, name=name))


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop where it is installed (x86_64, arm64), else None: asyncio's own.

    Why: uvloop roughly halves the loop's share of every request and radio frame; it has
    no wheels for armhf (32-bit Raspberry Pi OS), where the gateway runs on asyncio's loop
    unchanged.
    """
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def listening_socket(host: str, port: int, setting: str) -> socket.socket:
    """A listening TCP socket whose accepted connections send at once (TCP_NODELAY).

    Why here: asyncio sets TCP_NODELAY on an accepted connection only when the listening
    socket's ``proto`` is IPPROTO_TCP, and ``socket.create_server`` leaves it 0. Without it
    Nagle holds the body of every keep-alive answer (h11 writes headers and body apart)
    until the client's delayed ACK, 40 ms later. Linux copies the option from the
    listening socket to each connection it accepts, so setting it once covers every port.
    """
    try:
        sock = socket.create_server((host, port), family=_family(host), reuse_port=False)
    except OSError as exc:
        raise StartupError(f"{setting}: cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
