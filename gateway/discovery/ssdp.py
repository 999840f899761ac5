"""SSDP: answer M-SEARCH and announce ``ssdp:alive`` / ``ssdp:byebye``, via async-upnp-client.

The library's responder and announcer do the protocol (MX delays, USN/ST per search target,
the 30 s announce cycle, byebye on stop); we only give them the device. The ``LOCATION``
they send is ``http://<host>:<REST port>/description.xml``, which the REST server itself
serves (``gateway.api.web``), so a client that finds us already knows the API port.
"""

from __future__ import annotations

import logging

from async_upnp_client.const import AddressTupleVXType
from async_upnp_client.server import SsdpAdvertisementAnnouncer, SsdpSearchResponder
from async_upnp_client.ssdp import SSDP_IP_V4, SSDP_PORT

from gateway.discovery.identity import BridgeIdentity, upnp_device

log = logging.getLogger(__name__)


class SsdpAnnouncer:
    """The search responder and the announcer for one identity on one interface."""

    def __init__(
        self,
        identity: BridgeIdentity,
        *,
        interface: str | None = None,
        target: AddressTupleVXType = (SSDP_IP_V4, SSDP_PORT),
    ) -> None:
        self.identity = identity
        # Multicast goes out of, and is listened for on, the interface we announce.
        self._source: AddressTupleVXType = (interface or identity.host, 0)
        self._target = target
        self._responder: SsdpSearchResponder | None = None
        self._announcer: SsdpAdvertisementAnnouncer | None = None

    async def start(self) -> None:
        device = upnp_device(self.identity)
        self._responder = SsdpSearchResponder(device, source=self._source, target=self._target)
        await self._responder.async_start()
        self._announcer = SsdpAdvertisementAnnouncer(
            device, source=self._source, target=self._target
        )
        await self._announcer.async_start()
        log.info(
            "event=ssdp_started location=%s%s usn=%s",
            self.identity.base_url,
            device.device_url,
            device.udn,
        )

    async def stop(self) -> None:
        """Say byebye and close the sockets."""
        if self._announcer is not None:
            await self._announcer.async_stop()
            self._announcer = None
        if self._responder is not None:
            await self._responder.async_stop()
            self._responder = None
