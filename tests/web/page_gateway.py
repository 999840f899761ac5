"""A real gateway on the virtual rig, started exactly as ``gateway run`` builds it.

The rig: the ZNP emulator (``hil.virtual_radio.VirtualRadio``, three factory-new lamps and
one touchlink target) driven by zigpy-znp over its pty (``radio.kind = znp``), and the KNX
emulator of ``knx.mode = virtual`` over a real UDP tunnel. The unmodified ``Gateway`` wires
the page, the KNX feed and backup itself (``gateway.app``); the gateway runs on its own
event loop in a thread, so the tests can drive the browser with blocking calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

from gateway.app import Gateway
from gateway.app.admin_password import read_password_file
from gateway.app.systemd import SystemdNotifier
from gateway.knx.feed import KnxFeed
from gateway.knx.link import KnxLink
from gateway.settings import load_settings
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
        self.admin_password = ""

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
        self.gateway = Gateway(settings, notifier=SystemdNotifier(None))
        await self.gateway.start()
        assert self.gateway.deconz is not None
        feed = self.gateway.deconz.knx_feed
        assert isinstance(feed, KnxFeed)
        self.feed = feed
        self.link = feed.link
        # The password the gateway generated at its first start (the file goes once changed).
        self.admin_password = read_password_file(settings.gateway.state_dir)

    def _empty_config(self) -> Path:
        path = self.workdir / "gateway.toml"
        path.write_text("")
        return path

    async def _stop(self) -> None:
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
