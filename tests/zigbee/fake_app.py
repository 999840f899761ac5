"""A scripted stand-in for a zigpy ControllerApplication, for supervisor unit tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import zigpy.config as zconf
import zigpy.state
import zigpy.types as zt


class FakeBackups:
    backups: list[object] = []  # zigpy's NetworkBackups keeps them in a list too

    def most_recent_backup(self) -> None:
        return None


@dataclass
class Script:
    """What the next applications do; shared by every instance a test creates."""

    fail_startups: int = 0
    startup_error: type[Exception] = ConnectionRefusedError
    apps: list[FakeApp] = field(default_factory=list)
    permits: list[int] = field(default_factory=list)
    channel_moves: list[tuple[int, int]] = field(default_factory=list)
    formed: int = 0
    move_gate: asyncio.Event | None = None
    permit_gate: asyncio.Event | None = None  # holds permit calls in flight
    startup_delay: float = 0.0
    channel: int = 15


class FakeApp:
    script: Script

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.listeners: list[Any] = []
        self.backups = FakeBackups()
        self.started = False
        self.shutdowns: list[bool] = []
        self.permits: list[int] = []  # this application's, in order (script.permits: all)
        self.state = zigpy.state.State()
        self.state.network_info = zigpy.state.NetworkInfo(
            channel=self.script.channel,
            pan_id=zt.PanId(0x1A62),
            extended_pan_id=zt.ExtendedPanId.convert("dd:dd:dd:dd:dd:dd:dd:dd"),
        )
        self.state.node_info = zigpy.state.NodeInfo(
            ieee=zt.EUI64.convert("00:12:4b:00:1c:a1:b8:46"), version="Z-Stack 3.30 20230507"
        )

    @classmethod
    def bound(cls, script: Script) -> type[FakeApp]:
        return type("BoundFakeApp", (cls,), {"script": script})

    @classmethod
    async def new(cls, config: dict[str, Any], start_radio: bool = True) -> FakeApp:
        app = cls(config)
        cls.script.apps.append(app)
        return app

    def add_listener(self, listener: Any) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: Any) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    async def startup(self, *, auto_form: bool = False) -> None:
        await asyncio.sleep(self.script.startup_delay)
        if self.script.fail_startups > 0:
            self.script.fail_startups -= 1
            raise self.script.startup_error("no stick")
        self.started = True

    async def shutdown(self, *, db: bool = True) -> None:
        self.shutdowns.append(db)

    async def permit(self, time_s: int = 60, node: Any = None) -> None:
        assert 0 <= time_s <= 254
        self.script.permits.append(time_s)
        self.permits.append(time_s)
        if self.script.permit_gate is not None:
            await self.script.permit_gate.wait()

    async def move_network_to_channel(self, new_channel: int, *, num_broadcasts: int = 5) -> None:
        self.script.channel_moves.append((new_channel, num_broadcasts))
        if self.script.move_gate is not None:
            await self.script.move_gate.wait()
        self.state.network_info = self.state.network_info.replace(channel=new_channel)
        self.script.channel = new_channel

    async def form_network(self, *, fast: bool = False) -> None:
        assert self.config[zconf.CONF_NWK][zconf.CONF_NWK_CHANNEL] == self.script.channel
        self.script.formed += 1
        self.state.network_info = self.state.network_info.replace(pan_id=zt.PanId(0x2B73))

    def lose(self, exc: Exception | None = None) -> None:
        """What zigpy does when the serial port fails or the watchdog gives up."""
        for listener in list(self.listeners):
            listener.connection_lost(exc or ConnectionResetError("port gone"))
