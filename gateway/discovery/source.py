"""Where discovery reads the gateway's identity from: the configuration service, live.

Why a function of its own: the composition root only has to say which configuration and
which HTTP address; what counts as "announceable" lives here. An address is announceable
when it is a real interface address: with ``http.host = 0.0.0.0`` that is the host's
address as the configuration reports it (``ipaddress``), with a specific ``http.host``
that address. A loopback-only gateway (``127.0.0.1``) is not announced on the LAN.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Protocol

from gateway.discovery.identity import BridgeIdentity


class _Stored(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def uuid(self) -> str: ...


class _Host(Protocol):
    @property
    def ipaddress(self) -> str: ...


class ConfigSource(Protocol):
    """What discovery reads (``GatewayConfigService`` has it)."""

    @property
    def bridgeid(self) -> str: ...

    @property
    def current(self) -> _Stored: ...

    def system_info(self) -> _Host: ...


def identity_source(
    config: ConfigSource, http_host: str, http_port: int, *, allow_loopback: bool = False
) -> Callable[[], BridgeIdentity | None]:
    """A function giving the identity to announce now (None: nothing announceable)."""

    def current() -> BridgeIdentity | None:
        host = http_host
        if ipaddress.ip_address(host).is_unspecified:
            host = config.system_info().ipaddress
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        if address.is_unspecified or (address.is_loopback and not allow_loopback):
            return None
        stored = config.current
        return BridgeIdentity(config.bridgeid, stored.name, stored.uuid, host, http_port)

    return current
