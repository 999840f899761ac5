"""What the Thinknx API asks of the KNX side, as ports and the values they answer.

Why here: the Thinknx handlers live in ``gateway.api`` and must not import the KNX
package (which carries xknx); the KNX side implements these Protocols
(``gateway.knx.devices.DeviceService``, ``gateway.knx.system.SystemCommands`` and
``ServerInfo``) and the composition root hands the real objects to the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

Number = int | float


@dataclass(frozen=True)
class Outcome:
    """What a controller call answers: the communication object, and the status if known."""

    comm_obj: int
    status: Number | None = None


@dataclass(frozen=True)
class Sent:
    """A raw telegram that the bus confirmed: the canonical address and the value it carries."""

    group: str
    value: Number


@dataclass(frozen=True)
class ServerStatus:
    """The fields of ``system/serverStatus`` (the API adds ``namespace``)."""

    version: str
    process_uptime: str
    server_uptime: str
    config_time: str
    connected_clients: int
    pbx_users: str = ""


class DeviceControl(Protocol):
    """The catalogue's devices: set a controller (optionally waiting for feedback), read one."""

    async def command(
        self, guid: str, controller: str, value: Number | None, *, feedback: bool
    ) -> Outcome: ...

    async def status(self, guid: str, controller: str) -> Outcome: ...


class RawSender(Protocol):
    """``system/sendKNX*``: one DPT value to one group address."""

    async def send(self, command: str, group: str, value: Number) -> Sent: ...


class ServerInfoSource(Protocol):
    """``system/serverStatus``."""

    async def status(self, connected_clients: int) -> ServerStatus: ...
