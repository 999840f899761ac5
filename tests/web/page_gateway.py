"""A real gateway on the virtual rig, with the page wired in as the composition root will be.

Why this harness: ``gateway/service.py`` (being moved to ``gateway/app/`` by the lead) does
not yet pass the page's routes nor start the KNX feed. This does exactly the wiring the
report asks the lead for — the KNX and backup routes in the routes table, the page and the
monitor websocket as ``extra_routes``, the feed in ``DeconzServices.extra`` — around the
unmodified ``Gateway``, so the browser tests drive the product, not a mock.

The rig: the ZNP emulator (``hil.virtual_radio.VirtualRadio``, three factory-new lamps and
one touchlink target) driven by zigpy-znp over its pty (``radio.kind = znp``), and the KNX
emulator of ``knx.mode = virtual`` over a real UDP tunnel. The gateway runs on its own
event loop in a thread, so the tests can drive the browser with blocking calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import gateway.knx.wiring as knx_wiring
import gateway.service as service_module
from gateway import __version__
from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.backup import BACKUP_ROUTES
from gateway.api.deconz.backup import SERVICE_KEY as BACKUP_KEY
from gateway.api.deconz.knx_status import KNX_ROUTES, knx_websocket_routes
from gateway.api.deconz.knx_status import SERVICE_KEY as KNX_KEY
from gateway.api.deconz.routes import ROUTES
from gateway.api.web import web_routes
from gateway.backup import BackupService
from gateway.knx.feed import KnxFeed
from gateway.knx.link import KnxLink
from gateway.service import Gateway
from gateway.settings import load_settings
from gateway.systemd import SystemdNotifier
from gateway.zigbee.backups import backup_path
from gateway.zigbee.stack import BACKUP_DIR
from hil.virtual_radio import VirtualRadio
from tests.helpers.servers import free_port

T = TypeVar("T")
TOUCHLINK_TARGET = "00:17:88:01:7c:00:00:99"


class PageGateway:
    """Start/stop the wired gateway; run coroutines on its loop; drive the emulators."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.http_port = free_port()
        self.websocket_port = free_port()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.gateway: Gateway | None = None
        self.radio: VirtualRadio | None = None
        self.link: KnxLink | None = None
        self.feed: KnxFeed | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        self._thread.start()
        self.run(self._start(), timeout=120)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self._stop(), timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def radio_command(self, cmd: str, **args: Any) -> Any:
        assert self.radio is not None
        return self.run(self.radio.command(cmd, **args), timeout=30)

    def lamp_on(self, ieee: str) -> bool:
        device = self.radio_command("device", ieee=ieee)
        on_off = device.get("clusters", {}).get("0x0006", {}).get("attributes", {})
        return bool(on_off.get("on_off"))

    async def _start(self) -> None:
        self.radio = VirtualRadio(
            self.workdir / "radio",
            lights=3,
            fast=True,
            extra_args=(
                "--touchlink-target",
                f"channel=15,type=extended_color,factory_new=0,ieee={TOUCHLINK_TARGET}",
            ),
        )
        path = await self.radio.start()
        settings = load_settings(
            environ={
                "GATEWAY_CONFIG": str(self._empty_config()),
                "GATEWAY_STATE_DIR": str(self.workdir / "state"),
                "GATEWAY_HTTP_HOST": "127.0.0.1",
                "GATEWAY_HTTP_PORT": str(self.http_port),
                "GATEWAY_HTTP_WEBSOCKET_PORT": str(self.websocket_port),
                "GATEWAY_THINKNX_HOST": "127.0.0.1",
                "GATEWAY_THINKNX_PORT": str(free_port()),
                "GATEWAY_RADIO_KIND": "znp",
                "GATEWAY_RADIO_PATH": path,
                "GATEWAY_KNX_MODE": "virtual",
                "GATEWAY_DISCOVERY_SSDP": "false",
                "GATEWAY_DISCOVERY_MDNS": "false",
            }
        )
        captured: dict[str, Any] = {}

        class CapturedLink(KnxLink):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                captured["link"] = self

        original_build_thinknx = knx_wiring.build_thinknx

        def capture_thinknx(*args: Any, **kwargs: Any) -> Any:
            captured["thinknx"] = stack = original_build_thinknx(*args, **kwargs)
            return stack

        # The wiring asked of the composition root (see docs/page.md, "Wiring").
        with (
            mock.patch.object(knx_wiring, "KnxLink", CapturedLink),
            mock.patch.object(knx_wiring, "build_thinknx", capture_thinknx),
            mock.patch.object(service_module, "ROUTES", [*ROUTES, *KNX_ROUTES, *BACKUP_ROUTES]),
            mock.patch.object(
                service_module,
                "build_deconz_app",
                functools.partial(
                    build_deconz_app, extra_routes=[*knx_websocket_routes(), *web_routes()]
                ),
            ),
        ):
            self.gateway = Gateway(settings, notifier=SystemdNotifier(None))
            await self.gateway.start()
        assert self.gateway.deconz is not None
        self.link = captured["link"]
        stack = captured["thinknx"]
        self.feed = KnxFeed(self.link, lambda: stack.devices.catalogue)
        self.feed.start()
        self.gateway.deconz.extra[KNX_KEY] = self.feed
        state_dir = settings.gateway.state_dir
        self.gateway.deconz.extra[BACKUP_KEY] = BackupService(
            state_dir, settings.database_url, backup_path(state_dir / BACKUP_DIR), __version__
        )

    def _empty_config(self) -> Path:
        path = self.workdir / "gateway.toml"
        path.write_text("")
        return path

    async def _stop(self) -> None:
        if self.feed is not None:
            await self.feed.stop()
        if self.gateway is not None:
            await self.gateway.stop()
        if self.radio is not None:
            await self.radio.stop()


@contextlib.contextmanager
def page_gateway(workdir: Path) -> Iterator[PageGateway]:
    rig = PageGateway(workdir)
    try:
        rig.start()
        yield rig
    finally:
        rig.stop()
